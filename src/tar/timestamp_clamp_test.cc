#include "src/tar/timestamp_clamp.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/tar/tar_reader.h"
#include "src/tar/tar_testing.h"
#include "src/tar/tar_writer.h"

namespace imagewriter {
namespace {

std::string MakeTar(const std::vector<std::pair<std::string, int64_t>>& files) {
  StringSink out;
  TarWriter tar(&out);
  for (const auto& [name, mtime] : files) {
    TarHeader h;
    h.path = name;
    h.mtime = mtime;
    h.size = name.size();
    EXPECT_TRUE(tar.WriteHeader(h).ok());
    EXPECT_TRUE(tar.Append(name).ok());
  }
  EXPECT_TRUE(tar.Finish().ok());
  return out.data();
}

std::string Clamp(const std::string& tar, int64_t epoch, size_t chunk, uint64_t* clamped = nullptr) {
  StringSink out;
  TimestampClamp clamp(epoch, &out);
  for (size_t i = 0; i < tar.size(); i += chunk) {
    absl::Status s = clamp.Append(absl::string_view(tar).substr(i, chunk));
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_TRUE(clamp.Finish().ok());
  if (clamped) *clamped = clamp.clamped();
  return out.data();
}

TEST(TimestampClampTest, ClampsLaterTimesOnly) {
  const std::string tar = MakeTar({{"old", 100}, {"future", 2000000000}, {"edge", 1000}});
  uint64_t clamped = 0;
  const std::string out = Clamp(tar, 1000, 700, &clamped);
  EXPECT_EQ(clamped, 1u);
  EXPECT_EQ(out.size(), tar.size());
  std::vector<TarEntry> entries;
  TarReader reader([&](const TarEntry& e) {
    entries.push_back(e);
    return absl::OkStatus();
  });
  ASSERT_TRUE(reader.Append(out).ok());
  ASSERT_TRUE(reader.Finish().ok());  // Checksums are valid.
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].mtime, 100);
  EXPECT_EQ(entries[1].mtime, 1000);
  EXPECT_EQ(entries[2].mtime, 1000);
  EXPECT_EQ(out.substr(entries[1].data_offset, 6), "future");
}

TEST(TimestampClampTest, NothingLaterMeansIdenticalBytes) {
  const std::string tar = MakeTar({{"a", 5}, {"b", 6}});
  EXPECT_EQ(Clamp(tar, 10, 1), tar);
}

TEST(TimestampClampTest, ClampsPaxTimes) {
  // A PAX header with mtime/atime/ctime records, then the entry: the times
  // above the epoch are clamped, the one below it is kept.
  std::string records =
      "30 mtime=2000000000.123456789\n20 atime=1800000000\n20 ctime=1600000000\n";
  StringSink out;
  TarWriter tar(&out);
  TarHeader pax;
  pax.path = "PaxHeaders.0/f";
  pax.type = '7';  // Written as data; retyped below.
  pax.size = records.size();
  ASSERT_TRUE(tar.WriteHeader(pax).ok());
  ASSERT_TRUE(tar.Append(records).ok());
  TarHeader f;
  f.path = "f";
  ASSERT_TRUE(tar.WriteHeader(f).ok());
  ASSERT_TRUE(tar.Finish().ok());
  std::string bytes = out.data();
  bytes[156] = 'x';
  // Fix the checksum for the retyped header.
  std::string header = bytes.substr(0, 512);
  memset(&header[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  snprintf(&header[148], 8, "%06o", sum);
  bytes.replace(0, 512, header);

  uint64_t clamped = 0;
  const std::string result = Clamp(bytes, 1700000000, 100, &clamped);
  EXPECT_EQ(clamped, 2u);
  EXPECT_NE(result.find("20 mtime=1700000000\n20 atime=1700000000\n20 ctime=1600000000\n"),
            std::string::npos);
  TarReader reader;
  ASSERT_TRUE(reader.Append(result).ok());
  EXPECT_TRUE(reader.Finish().ok());
}

// A header with a bad checksum is refused before any rewrite: the clamp
// must not "repair" it with the checksum it computes for the new mtime.
TEST(TimestampClampTest, RefusesABadChecksumInsteadOfRepairingIt) {
  std::string tar = MakeTar({{"good", 100}, {"future", 2000000000}});
  tar[512 + 512 + 1] ^= 1;  // The second header's name; its checksum no longer holds.
  StringSink out;
  TimestampClamp clamp(1000, &out);
  absl::Status s = clamp.Append(tar);
  if (s.ok()) s = clamp.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("malformed tar at offset 1024: header checksum mismatch"), std::string::npos) << s;
  EXPECT_EQ(clamp.clamped(), 0u);
}

TEST(TimestampClampTest, RefusesWhatTheReaderRefuses) {
  const std::string h = MakeTar({{"x", 2000000000}}).substr(0, 1024);
  const std::string bad_pax = std::string(testing_tar::Rechecksum([] {
                                std::string p(512, '\0');
                                memcpy(&p[0], "PaxHeader", 9);
                                memcpy(&p[100], "0000644\0" "0000000\0" "0000000\0" "00000000012\0"
                                                "00000000000\0", 44);
                                p[156] = 'x';
                                memcpy(&p[257], "ustar\0" "00", 8);
                                return p;
                              }())) + "99 mtime=5\n" + std::string(502, '\0');
  const struct {
    std::string tar;
    const char* error;
  } cases[] = {
      {h + std::string(512, '\0') + h + std::string(1024, '\0'), "offset 1536: a non-zero block after a zero block"},
      {bad_pax + h + std::string(1024, '\0'), "offset 0: PAX record: bad length prefix"},
  };
  for (const auto& c : cases) {
    StringSink out;
    TimestampClamp clamp(1000, &out);
    absl::Status s = clamp.Append(c.tar);
    if (s.ok()) s = clamp.Finish();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace imagewriter
