#include "src/tar/tar_writer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/tar/tar_reader.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

std::vector<TarEntry> ReadBack(const std::string& tar) {
  bool saw_end_marker = false;
  absl::StatusOr<std::vector<TarEntry>> entries = testing_tar::ReadEntries(tar, &saw_end_marker);
  EXPECT_TRUE(entries.ok()) << entries.status();
  EXPECT_TRUE(saw_end_marker);
  return entries.ok() ? *entries : std::vector<TarEntry>();
}

TEST(TarWriterTest, RoundTripsThroughTheReader) {
  StringSink out;
  TarWriter tar(&out);
  TarHeader dir;
  dir.path = "app/";
  dir.type = '5';
  dir.mode = 0755;
  ASSERT_TRUE(tar.WriteHeader(dir).ok());
  TarHeader file;
  file.path = "app/hello.txt";
  file.size = 6;
  ASSERT_TRUE(tar.WriteHeader(file).ok());
  ASSERT_TRUE(tar.Append("hel").ok());
  ASSERT_TRUE(tar.Append("lo\n").ok());
  TarHeader link;
  link.path = "app/link";
  link.type = '2';
  link.link_name = "hello.txt";
  ASSERT_TRUE(tar.WriteHeader(link).ok());
  ASSERT_TRUE(tar.Finish().ok());
  EXPECT_EQ(out.data().size() % 512, 0u);
  std::vector<TarEntry> entries = ReadBack(out.data());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].path, "app/hello.txt");
  EXPECT_EQ(entries[1].size, 6u);
  EXPECT_EQ(entries[1].mode, 0644u);
  EXPECT_EQ(out.data().substr(entries[1].data_offset, 6), "hello\n");
  EXPECT_EQ(entries[2].link_name, "hello.txt");
}

TEST(TarWriterTest, LongNamesUseUstarPrefixThenPax) {
  const std::string splittable = std::string(120, 'd') + "/" + std::string(90, 'f');
  const std::string unsplittable = std::string(150, 'x');
  const std::string long_link = std::string(150, 'l');
  StringSink out;
  TarWriter tar(&out);
  TarHeader a;
  a.path = splittable;
  ASSERT_TRUE(tar.WriteHeader(a).ok());
  TarHeader b;
  b.path = unsplittable;
  ASSERT_TRUE(tar.WriteHeader(b).ok());
  TarHeader c;
  c.path = "short";
  c.type = '2';
  c.link_name = long_link;
  ASSERT_TRUE(tar.WriteHeader(c).ok());
  ASSERT_TRUE(tar.Finish().ok());
  std::vector<TarEntry> entries = ReadBack(out.data());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].path, splittable);
  EXPECT_EQ(entries[0].header_offset, 0u);  // No PAX header was needed.
  EXPECT_EQ(entries[1].path, unsplittable);
  EXPECT_EQ(entries[2].link_name, long_link);
  // PAX headers are named after the entry, as Go names them.
  EXPECT_EQ(out.data().substr(512, 14), "./PaxHeaders.0");
}

TEST(TarWriterTest, HugeSizesGoThroughPax) {
  StringSink out;
  TarWriter tar(&out);
  TarHeader big;
  big.path = "big";
  big.size = 9ULL << 30;  // Over ustar's 8 GiB limit.
  ASSERT_TRUE(tar.WriteHeader(big).ok());
  TarReader reader;
  ASSERT_TRUE(reader.Append(out.data()).ok());
  absl::Status s = reader.Finish();
  // The reader now waits for 9 GiB of data: the PAX size was understood.
  EXPECT_NE(s.message().find(std::to_string(9ULL << 30)), std::string::npos) << s;
}

TEST(TarWriterTest, SizeMismatchIsAnError) {
  StringSink out;
  TarWriter tar(&out);
  TarHeader h;
  h.path = "f";
  h.size = 4;
  ASSERT_TRUE(tar.WriteHeader(h).ok());
  EXPECT_FALSE(tar.Append("too long").ok());
  ASSERT_TRUE(tar.Append("ab").ok());
  EXPECT_FALSE(tar.Finish().ok());
}

TEST(TarWriterTest, SameEntriesSameBytes) {
  auto build = [] {
    StringSink out;
    TarWriter tar(&out);
    TarHeader h;
    h.path = "a";
    h.size = 1;
    EXPECT_TRUE(tar.WriteHeader(h).ok());
    EXPECT_TRUE(tar.Append("x").ok());
    EXPECT_TRUE(tar.Finish().ok());
    return out.data();
  };
  EXPECT_EQ(build(), build());
}

}  // namespace
}  // namespace imagewriter
