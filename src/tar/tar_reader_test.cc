#include "src/tar/tar_reader.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

using namespace testing_tar;  // NOLINT: test helpers.

absl::Status Parse(const std::string& tar, std::vector<TarEntry>* entries,
                   size_t chunk = 100) {
  TarReader reader([entries](const TarEntry& e) {
    entries->push_back(e);
    return absl::OkStatus();
  });
  for (size_t i = 0; i < tar.size(); i += chunk) {
    absl::Status s = reader.Append(absl::string_view(tar).substr(i, chunk));
    if (!s.ok()) return s;
  }
  return reader.Finish();
}

TEST(TarReaderTest, ListsEntriesInAnyChunking) {
  std::string tar = Header("etc/", 0, '5') + File("etc/hello", "hi\n") +
                    Header("etc/link", 0, '2', "hello") + End();
  for (size_t chunk : {1u, 511u, 512u, 100000u}) {
    std::vector<TarEntry> entries;
    ASSERT_TRUE(Parse(tar, &entries, chunk).ok());
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].path, "etc/");
    EXPECT_EQ(entries[0].type, '5');
    EXPECT_EQ(entries[1].path, "etc/hello");
    EXPECT_EQ(entries[1].size, 3u);
    EXPECT_EQ(entries[1].header_offset, 512u);
    EXPECT_EQ(entries[2].link_name, "hello");
  }
}

TEST(TarReaderTest, PaxPathAndSizeOverride) {
  std::string long_name(300, 'a');
  std::string tar = Pax("path", long_name) + File("short", "data") + End();
  std::vector<TarEntry> entries;
  ASSERT_TRUE(Parse(tar, &entries).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, long_name);
  EXPECT_EQ(entries[0].header_offset, 0u);
}

TEST(TarReaderTest, GnuLongName) {
  std::string long_name(200, 'b');
  std::string body = long_name + std::string(1, '\0');
  std::string tar = Header("././@LongLink", body.size(), 'L') + body +
                    std::string(512 - body.size(), '\0') + File("x", "") + End();
  std::vector<TarEntry> entries;
  ASSERT_TRUE(Parse(tar, &entries).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, long_name);
}

TEST(TarReaderTest, EmptyArchiveIsValid) {
  std::vector<TarEntry> entries;
  EXPECT_TRUE(Parse(End(), &entries).ok());
  EXPECT_TRUE(entries.empty());
}

TEST(TarReaderTest, MissingEndMarkerIsAccepted) {
  std::vector<TarEntry> entries;
  EXPECT_TRUE(Parse(File("a", "x"), &entries).ok());
}

TEST(TarReaderTest, ZeroLengthInputIsNotATar) {
  std::vector<TarEntry> entries;
  absl::Status s = Parse("", &entries);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s;
}

TEST(TarReaderTest, TruncatedDataIsAnError) {
  std::string tar = File("a", std::string(1000, 'x'));
  std::vector<TarEntry> entries;
  absl::Status s = Parse(tar.substr(0, 900), &entries);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated tar"), std::string::npos) << s;
}

TEST(TarReaderTest, TruncatedHeaderIsAnError) {
  std::string tar = File("a", "x") + Header("b", 0).substr(0, 100);
  std::vector<TarEntry> entries;
  absl::Status s = Parse(tar, &entries);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset 1024"), std::string::npos) << s;
}

TEST(TarReaderTest, BadChecksumNamesTheOffset) {
  std::string tar = File("a", "x") + File("b", "y") + End();
  tar[1024 + 10] = 'Z';  // Corrupt the second header's name.
  std::vector<TarEntry> entries;
  absl::Status s = Parse(tar, &entries);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset 1024: header checksum mismatch"),
            std::string::npos)
      << s;
}

TEST(TarReaderTest, NotATar) {
  std::vector<TarEntry> entries;
  absl::Status s = Parse(std::string(2000, 'x'), &entries);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a tar archive"), std::string::npos) << s;
}

TEST(TarReaderTest, Base256Size) {
  std::string h = Header("big", 0);
  // Size 2^33 in base-256 (the high bit marks the encoding).
  std::string field(12, '\0');
  field[0] = static_cast<char>(0x80);
  field[7] = 0x02;
  h.replace(124, 12, field);
  memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  snprintf(&h[148], 8, "%06o", sum);
  TarReader reader;
  ASSERT_TRUE(reader.Append(h).ok());
  // The reader now expects 8 GiB of data; ending here is a truncation.
  absl::Status s = reader.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("8589934592 bytes"), std::string::npos) << s;
}

}  // namespace
}  // namespace imagewriter
