#include "src/request/key_value_files.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

using Map = std::map<std::string, std::string>;

TEST(KeyValueFilesTest, ReadsEntriesInOrder) {
  TestDir dir;
  absl::StatusOr<std::vector<KeyValue>> entries =
      ReadKeyValueFile(dir.Write("env.txt", "B=1\r\n\nA=x=y\nB=2\n"));
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[1].key, "A");
  EXPECT_EQ((*entries)[1].value, "x=y");
  EXPECT_EQ((*entries)[2].value, "2");
}

TEST(KeyValueFilesTest, ErrorsNameTheFileAndLine) {
  TestDir dir;
  const std::string path = dir.Write("env.txt", "A=1\nPATH\n");
  absl::StatusOr<std::vector<KeyValue>> entries = ReadKeyValueFile(path);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().message(),
            path + ":2: expected KEY=VALUE with a non-empty KEY, got \"PATH\"");
  Map out;
  EXPECT_EQ(MergeKeyValueFiles({path}, "label", &out).message(), entries.status().message());
}

TEST(KeyValueFilesTest, MergesFilesIntoTheGivenMap) {
  TestDir dir;
  Map out = {{"inline", "0"}};
  absl::Status s = MergeKeyValueFiles({dir.Write("a.txt", "a=1\n"), dir.Write("b.txt", "b=2\n")},
                                      "label", &out);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(out, (Map{{"a", "1"}, {"b", "2"}, {"inline", "0"}}));
}

TEST(KeyValueFilesTest, ARepeatedKeyIsAnErrorNamingTheFile) {
  TestDir dir;
  const std::string same = dir.Write("same.txt", "a=1\na=1\n");
  Map out;
  EXPECT_EQ(MergeKeyValueFiles({same}, "label", &out).message(), same + ": duplicate label key \"a\"");

  const std::string first = dir.Write("first.txt", "a=1\n");
  const std::string second = dir.Write("second.txt", "a=2\n");
  out.clear();
  EXPECT_EQ(MergeKeyValueFiles({first, second}, "annotation", &out).message(),
            second + ": duplicate annotation key \"a\"");

  out = {{"a", "inline"}};
  EXPECT_EQ(MergeKeyValueFiles({first}, "label", &out).message(), first + ": duplicate label key \"a\"");
}

TEST(KeyValueFilesTest, MissingFileIsNamed) {
  TestDir dir;
  const std::string path = dir.Path("absent.txt");
  absl::StatusOr<std::vector<KeyValue>> entries = ReadKeyValueFile(path);
  ASSERT_FALSE(entries.ok());
  EXPECT_TRUE(absl::StrContains(entries.status().message(), path)) << entries.status();
}

}  // namespace
}  // namespace imagewriter
