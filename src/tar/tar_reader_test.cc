#include "src/tar/tar_reader.h"

#include <cstring>
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

// --- Go's archive/tar is the specification (tests/tar_oracle checks the
// same cases against Go itself). ---------------------------------------

std::string Expect(const std::string& tar, absl::string_view error) {
  std::vector<TarEntry> entries;
  absl::Status s = Parse(tar, &entries);
  EXPECT_FALSE(s.ok()) << "expected an error containing: " << error;
  EXPECT_NE(s.message().find(std::string(error)), std::string::npos) << s;
  return std::string(s.message());
}

std::vector<TarEntry> Accept(const std::string& tar) {
  std::vector<TarEntry> entries;
  absl::Status s = Parse(tar, &entries);
  EXPECT_TRUE(s.ok()) << s;
  return entries;
}

TEST(TarReaderGoTest, GnuLongNameWinsOverPaxPathInEitherOrder) {
  for (bool long_first : {true, false}) {
    std::string records = Pax("path", "from-pax"), long_name = GnuLong('L', "from-L");
    std::string tar = (long_first ? long_name + records : records + long_name) + File("x", "") + End();
    std::vector<TarEntry> e = Accept(tar);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].path, "from-L") << long_first;
    EXPECT_EQ(e[0].header_offset, 0u);
  }
  std::string tar = GnuLong('K', "/etc") + Pax("linkpath", "ok") + Header("l", 0, '2', "x") + End();
  EXPECT_EQ(Accept(tar)[0].link_name, "/etc");
}

TEST(TarReaderGoTest, OnlyTheLastPaxHeaderApplies) {
  std::string tar = PaxRecords({{"path", "first"}, {"uid", "7"}}) + PaxRecords({{"gid", "9"}}) +
                    File("x", "") + End();
  std::vector<TarEntry> e = Accept(tar);
  EXPECT_EQ(e[0].path, "x");
  EXPECT_EQ(e[0].uid, 0);
  EXPECT_EQ(e[0].gid, 9);
}

TEST(TarReaderGoTest, GlobalHeaderDropsWhatIsPending) {
  std::string tar = Pax("path", "../escape") + PaxRecords({{"path", "g"}}, 'g') + File("x", "") + End();
  std::vector<TarEntry> e = Accept(tar);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].path, "x");
}

TEST(TarReaderGoTest, PrefixByFormat) {
  std::string ustar = Header("name", 0);
  memcpy(&ustar[345], "pre", 3);
  EXPECT_EQ(Accept(Rechecksum(ustar) + End())[0].path, "pre/name");
  std::string gnu = ustar;  // Old GNU keeps atime there: no prefix.
  memcpy(&gnu[257], "ustar  \0", 8);
  memcpy(&gnu[345], "00000000001\0", 12);
  EXPECT_EQ(Accept(Rechecksum(gnu) + End())[0].path, "name");
  memcpy(&gnu[345], "9pre\0", 5);  // Not a time: Go reads it as a prefix.
  EXPECT_EQ(Accept(Rechecksum(gnu) + End())[0].path, "9pre/name");
  std::string star = ustar;  // STAR: a 131-byte prefix, then times.
  memset(&star[345], 'p', 140);
  memcpy(&star[476], "00000000000\0" "00000000000\0", 24);
  memcpy(&star[508], "tar\0", 4);
  EXPECT_EQ(Accept(Rechecksum(star) + End())[0].path, std::string(131, 'p') + "/name");
  std::string v7 = ustar;
  memset(&v7[257], 0, 8);
  EXPECT_EQ(Accept(Rechecksum(v7) + End())[0].path, "name");
}

TEST(TarReaderGoTest, LoneZeroBlockThenHeaderIsAnError) {
  Expect(File("a", "x") + std::string(512, '\0') + File("b", "y") + End(),
         "offset 1536: a non-zero block after a zero block");
  EXPECT_EQ(Accept(File("a", "x") + std::string(512, '\0')).size(), 1u);  // Then EOF: fine.
}

std::string WithField(std::string h, size_t at, absl::string_view bytes) {
  memcpy(&h[at], bytes.data(), bytes.size());
  return Rechecksum(h);
}

TEST(TarReaderGoTest, NumericFields) {
  // Before 1970 in base-256, as GNU tar writes it: accepted, like Go.
  std::string old = WithField(Header("old", 0), 136, std::string(11, '\xff') + "\xfe");
  EXPECT_EQ(Accept(old + End())[0].mtime, -2);
  // 2^63 does not fit Go's int64.
  std::string big = WithField(Header("big", 0), 124, std::string("\x80\0\0\0\x80", 5) + std::string(7, '\0'));
  Expect(big + End(), "size field is not a number");
  Expect(WithField(Header("neg", 0), 124, std::string(12, '\xff')) + End(), "offset 0: negative size -1");
  // Links carry no data whatever their size says, negative included.
  std::string link = WithField(Header("l", 0, '2', "t"), 124, std::string(12, '\xff'));
  EXPECT_EQ(Accept(link + End())[0].size, 0u);
  Expect(WithField(Header("s", 0), 124, "0000 000004\0") + End(), "size field is not a number");
  Expect(WithField(Header("s", 0), 329, "zz") + End(), "devmajor field is not a number");
}

TEST(TarReaderGoTest, PaxValues) {
  Expect(Pax("path", std::string("a\0b", 3)) + File("x", "") + End(), "offset 0: PAX record path contains a NUL byte");
  Expect(Pax("linkpath", std::string("a\0b", 3)) + File("x", "") + End(), "PAX record linkpath contains a NUL");
  Expect(Pax("mtime", "12x") + File("x", "") + End(), "PAX record mtime=\"12x\" is not a number");
  Expect(Pax("uid", "abc") + File("x", "") + End(), "PAX record uid=\"abc\" is not a number");
  Expect(Pax("atime", "1e3") + File("x", "") + End(), "PAX record atime");
  Expect(Pax("size", "-1") + File("x", "") + End(), "negative size -1");
  EXPECT_EQ(Accept(Pax("mtime", "-1.5") + File("x", "") + End())[0].mtime, -2);
  EXPECT_EQ(Accept(Pax("mtime", "1.5") + File("x", "") + End())[0].mtime, 1);
  EXPECT_EQ(Accept(Pax("uid", "-5") + File("x", "") + End())[0].uid, -5);
  EXPECT_EQ(Accept(Pax("size", "") + File("x", "abc") + End())[0].size, 3u);  // Empty: ignored.
  std::string bad_length = Header("PaxHeader", 10, 'x') + "99 path=x\n" + std::string(502, '\0');
  Expect(bad_length + File("x", "") + End(), "offset 0: PAX record: bad length prefix");
}

TEST(TarReaderGoTest, SparseFilesAreRefused) {
  std::string old = Header("sp", 0, 'S');
  memcpy(&old[257], "ustar  \0", 8);
  Expect(Rechecksum(old) + End(), "offset 0: \"sp\": GNU sparse files are not supported");
  Expect(PaxRecords({{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", "../../x"}}) +
             File("safe", "1\n0\n0\n") + End(),
         "GNU sparse files are not supported");
  // A version Go does not know is a plain file to Go, sparse name ignored.
  EXPECT_EQ(Accept(PaxRecords({{"GNU.sparse.major", "2"}, {"GNU.sparse.name", "n"}}) + File("f", "") + End())[0].path,
            "f");
}

TEST(TarReaderGoTest, OldStyleDirectoryCarriesNoData) {
  // Typeflag NUL with a trailing slash is a directory to Go, so its size is
  // ignored and the next header follows at once: here, "hidden".
  std::string tar = Header("dir/", 512, '\0') + File("hidden", "") + File("after", "") + End();
  std::vector<TarEntry> e = Accept(tar);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].type, '5');
  EXPECT_EQ(e[1].path, "hidden");
  EXPECT_EQ(Accept(Header("f", 0, '\0') + End())[0].type, '0');
}

TEST(TarReaderGoTest, EndingsGoAccepts) {
  std::string f = File("a", "x");
  EXPECT_EQ(Accept(f.substr(0, 600)).size(), 1u);  // Inside the padding.
  EXPECT_EQ(Accept(f + Pax("path", "dangling")).size(), 1u);  // A pending header.
  EXPECT_EQ(Accept(Pax("path", "x") + End()).size(), 0u);
}

}  // namespace
}  // namespace imagewriter
