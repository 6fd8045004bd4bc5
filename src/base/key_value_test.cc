#include "src/base/key_value.h"

#include "gtest/gtest.h"

namespace imagewriter {
namespace {

std::string Entries(const absl::StatusOr<std::vector<KeyValue>>& entries) {
  if (!entries.ok()) return std::string(entries.status().message());
  std::string out;
  for (const KeyValue& e : *entries) out += "[" + e.key + "|" + e.value + "]";
  return out;
}

TEST(KeyValueTest, SplitsAtTheFirstEquals) {
  absl::StatusOr<KeyValue> kv = SplitKeyValue("URL=http://x/?a=b");
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_EQ(kv->key, "URL");
  EXPECT_EQ(kv->value, "http://x/?a=b");
}

TEST(KeyValueTest, ValueMayBeEmptyAndNothingIsTrimmed) {
  absl::StatusOr<KeyValue> kv = SplitKeyValue(" A =");
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_EQ(kv->key, " A ");
  EXPECT_EQ(kv->value, "");
}

TEST(KeyValueTest, KeyMustBeThereAndNotEmpty) {
  for (const char* entry : {"JUSTAKEY", "=value", ""}) {
    absl::StatusOr<KeyValue> kv = SplitKeyValue(entry);
    ASSERT_FALSE(kv.ok()) << entry;
    EXPECT_EQ(kv.status().message(), "expected KEY=VALUE with a non-empty KEY");
  }
}

TEST(KeyValueTest, LinesSkipBlanksAndDropCarriageReturns) {
  EXPECT_EQ(Entries(ParseKeyValueLines("A=1\n\n   \t\nB=x=y\r\nC=\n", "f")), "[A|1][B|x=y][C|]");
}

TEST(KeyValueTest, LinesKeepOrderAndRepeatedKeys) {
  EXPECT_EQ(Entries(ParseKeyValueLines("B=2\nA=1\nB=3", "f")), "[B|2][A|1][B|3]");
}

TEST(KeyValueTest, NoCommentsAndNoTrimming) {
  EXPECT_EQ(Entries(ParseKeyValueLines("#A=1\n  B = 2 ", "f")), "[#A|1][  B | 2 ]");
  EXPECT_EQ(Entries(ParseKeyValueLines("A=1\n# a comment\n", "env.txt")),
            "env.txt:2: expected KEY=VALUE with a non-empty KEY, got \"# a comment\"");
}

TEST(KeyValueTest, ErrorsNameTheLine) {
  EXPECT_EQ(Entries(ParseKeyValueLines("A=1\r\n\n=2\r\n", "labels.txt")),
            "labels.txt:3: expected KEY=VALUE with a non-empty KEY, got \"=2\"");
}

}  // namespace
}  // namespace imagewriter
