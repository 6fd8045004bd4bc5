#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/compress/compression.h"
#include "src/estargz/estargz_reader.h"
#include "src/estargz/estargz_writer.h"
#include "src/estargz/footer.h"
#include "src/estargz/toc.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

using testing_tar::End;
using testing_tar::File;
using testing_tar::Header;

absl::StatusOr<std::string> Encode(absl::string_view tar, int threads, EstargzInfo* info = nullptr,
                                   size_t piece = 1000) {
  StringSink out;
  EstargzEncoder encoder(&out, 2, threads);
  for (size_t i = 0; i < tar.size(); i += piece) {
    absl::Status s = encoder.Append(tar.substr(i, piece));
    if (!s.ok()) return s;
  }
  absl::Status s = encoder.Finish();
  if (!s.ok()) return s;
  if (info != nullptr) *info = encoder.info();
  return out.data();
}

std::string Decode(absl::string_view blob) {
  StringSink out;
  std::unique_ptr<ByteSink> d = NewDecoder(Compression::kGzip, &out);
  EXPECT_TRUE(d->Append(blob).ok());
  EXPECT_TRUE(d->Finish().ok());
  return out.data();
}

std::string BigData(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    s[i] = static_cast<char>((x >> 16) % 7 + 'a');  // Compressible, not trivial.
  }
  return s;
}

TEST(Toc, JsonLikeGoMarshalIndent) {
  estargz::TocEntry dir;
  dir.name = "a/";
  dir.type = "dir";
  dir.mode = 0755;
  estargz::TocEntry reg;
  reg.name = "a/<b>";
  reg.type = "reg";
  reg.size = 3;
  reg.offset = 77;
  reg.uname = "root";
  reg.xattrs = {{"user.k", "v"}};
  reg.digest = "sha256:x";
  reg.chunk_digest = "sha256:x";
  EXPECT_EQ(estargz::TocJson({dir, reg}),
            "{\n\t\"version\": 1,\n\t\"entries\": [\n"
            "\t\t{\n\t\t\t\"name\": \"a/\",\n\t\t\t\"type\": \"dir\",\n\t\t\t\"mode\": 493\n\t\t},\n"
            "\t\t{\n\t\t\t\"name\": \"a/\\u003cb\\u003e\",\n\t\t\t\"type\": \"reg\",\n"
            "\t\t\t\"size\": 3,\n\t\t\t\"userName\": \"root\",\n\t\t\t\"offset\": 77,\n"
            "\t\t\t\"xattrs\": {\n\t\t\t\t\"user.k\": \"dg==\"\n\t\t\t},\n"
            "\t\t\t\"digest\": \"sha256:x\",\n\t\t\t\"chunkDigest\": \"sha256:x\"\n\t\t}\n\t]\n}");
  EXPECT_EQ(estargz::TocJson({}), "{\n\t\"version\": 1,\n\t\"entries\": null\n}");
}

TEST(Toc, Modtime) {
  EXPECT_EQ(estargz::FormatModtime(0, 0), "");
  EXPECT_EQ(estargz::FormatModtime(0, 600000000), "");
  EXPECT_EQ(estargz::FormatModtime(1700000000, 0), "2023-11-14T22:13:20Z");
  EXPECT_EQ(estargz::FormatModtime(1700000000, 500000000), "2023-11-14T22:13:21Z");
  EXPECT_EQ(estargz::FormatModtime(1700000000, 499999999), "2023-11-14T22:13:20Z");
}

TEST(Toc, CleanEntryName) {
  EXPECT_EQ(estargz::CleanEntryName("./stargz.index.json"), "stargz.index.json");
  EXPECT_EQ(estargz::CleanEntryName("/../a//b/./"), "a/b");
}

TEST(Footer, RoundTrip) {
  const std::string footer = estargz::FooterBytes(0x1234);
  ASSERT_EQ(footer.size(), estargz::kFooterSize);
  EXPECT_EQ(footer.substr(16, 22), "0000000000001234STARGZ");
  EXPECT_EQ(*estargz::ParseFooter(footer), 0x1234u);
  EXPECT_FALSE(estargz::ParseFooter(footer.substr(1)).ok());
  // An empty gzip member: decodes to nothing.
  EXPECT_EQ(Decode(footer), "");
}

TEST(Encoder, LosslessAndTocLast) {
  const std::string big = BigData(EstargzEncoder::kChunkSize + 100);
  const std::string tar = absl::StrCat(Header("d/", 0, '5'), File("d/empty", ""),
                                       File("d/f", "hello"), File("d/big", big),
                                       Header("d/l", 0, '2', "f"), End());
  EstargzInfo info;
  absl::StatusOr<std::string> blob = Encode(tar, 1, &info);
  ASSERT_TRUE(blob.ok()) << blob.status();
  const std::string decoded = Decode(*blob);
  ASSERT_TRUE(absl::StartsWith(decoded, tar));
  EXPECT_EQ(info.uncompressed_size, decoded.size());
  EXPECT_EQ(info.diff_id, Digest::Sha256Of(decoded));
  // The rest is the TOC's own tar.
  absl::StatusOr<std::vector<TarEntry>> toc_tar = testing_tar::ReadEntries(decoded.substr(tar.size()));
  ASSERT_TRUE(toc_tar.ok());
  ASSERT_EQ(toc_tar->size(), 1u);
  EXPECT_EQ((*toc_tar)[0].path, "stargz.index.json");
  const std::string json = decoded.substr(tar.size() + 512, (*toc_tar)[0].size);
  EXPECT_EQ(info.toc_digest, Digest::Sha256Of(json));
  EXPECT_TRUE(absl::StrContains(json, "\"type\": \"chunk\""));
  EXPECT_TRUE(absl::StrContains(json, "\"chunkSize\": 4194304"));
  EXPECT_TRUE(absl::StrContains(json, "\"chunkOffset\": 4194304"));
  EXPECT_TRUE(absl::StrContains(
      json, "\"digest\": \"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""));
  // The footer points at the TOC member.
  const uint64_t toc_offset = *estargz::ParseFooter(blob->substr(blob->size() - 51));
  EXPECT_EQ(Decode(blob->substr(toc_offset, blob->size() - 51 - toc_offset)), decoded.substr(tar.size()));
}

TEST(Encoder, SameBytesForAnyThreadsAndChunking) {
  const std::string tar = absl::StrCat(File("a", BigData(9 << 20)), File("b", "x"), End());
  absl::StatusOr<std::string> one = Encode(tar, 1, nullptr, 4096);
  absl::StatusOr<std::string> four = Encode(tar, 4, nullptr, 1 << 20);
  ASSERT_TRUE(one.ok() && four.ok());
  EXPECT_EQ(*one, *four);
}

TEST(Encoder, Refusals) {
  absl::StatusOr<std::string> toc = Encode(absl::StrCat(File("./stargz.index.json", "{}"), End()), 1);
  EXPECT_TRUE(absl::StrContains(toc.status().message(), "reserves")) << toc.status();
  absl::StatusOr<std::string> cont = Encode(absl::StrCat(Header("c", 0, '7'), End()), 1);
  EXPECT_TRUE(absl::StrContains(cont.status().message(), "type '7'")) << cont.status();
  absl::StatusOr<std::string> global =
      Encode(absl::StrCat(testing_tar::PaxRecords({{"comment", "x"}}, 'g'), File("a", ""), End()), 1);
  EXPECT_TRUE(absl::StrContains(global.status().message(), "global")) << global.status();
}

TEST(Encoder, TocIsBounded) {
  // 100 empty files: each adds some 200 bytes of TOC JSON, so a 4 KiB limit
  // is passed within the first 30, and the entry that passes it is named.
  std::string tar;
  for (int i = 0; i < 100; ++i) tar += File(absl::StrCat("f", i), "");
  tar += End();
  StringSink out;
  EstargzEncoder encoder(&out, 2, 1);
  encoder.set_max_toc_bytes_for_testing(4096);
  absl::Status s = encoder.Append(tar);
  if (s.ok()) s = encoder.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "at the tar entry at offset ")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "4096")) << s;
  // Under the limit, the same bytes as without one.
  StringSink bounded;
  EstargzEncoder roomy(&bounded, 2, 1);
  roomy.set_max_toc_bytes_for_testing(1 << 20);
  ASSERT_TRUE(roomy.Append(tar).ok() && roomy.Finish().ok());
  absl::StatusOr<std::string> plain = Encode(tar, 1);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(bounded.data(), *plain);
}

TEST(Encoder, TocMemoryIsBounded) {
  // 100 directories: little JSON each (well under the JSON limit), but a
  // TocEntry each in memory, which is what passes the memory limit.
  std::string tar;
  for (int i = 0; i < 100; ++i) tar += Header(absl::StrCat("d", i, "/"), 0, '5');
  tar += End();
  StringSink out;
  EstargzEncoder encoder(&out, 2, 1);
  encoder.set_max_toc_bytes_for_testing(1 << 20);
  encoder.set_max_toc_memory_for_testing(50 * sizeof(estargz::TocEntry));
  absl::Status s = encoder.Append(tar);
  if (s.ok()) s = encoder.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "bytes of memory at the tar entry at offset ")) << s;
  // The JSON alone stays far below what the entries take.
  EXPECT_LT(estargz::TocEntryJsonSize(estargz::TocEntry{"d10/", "dir"}) * 3,
            sizeof(estargz::TocEntry));
}

TEST(Encoder, ChunkEntriesCountTowardsTheTocLimit) {
  // One file of many chunks: the chunk entries pass the limit, named by
  // the file's header offset (512: after the first entry).
  const std::string tar = absl::StrCat(File("a", ""), File("big", BigData(40 << 20)), End());
  StringSink out;
  EstargzEncoder encoder(&out, 1, 1);
  encoder.set_max_toc_bytes_for_testing(700);
  absl::Status s = encoder.Append(tar);
  if (s.ok()) s = encoder.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "at the tar entry at offset 512;")) << s;
  // The running count is a lower bound (digests and offsets come later);
  // the whole TOC is checked once it is known.
  StringSink out2;
  EstargzEncoder late(&out2, 1, 1);
  late.set_max_toc_bytes_for_testing(1200);
  s = late.Append(tar);
  if (s.ok()) s = late.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "with its JSON of ")) << s;
}

// Writes `bytes` to a temporary file and runs DetectEstargz on it; `path`
// receives the file's name (for checking that errors name it).
absl::StatusOr<std::optional<EstargzBlob>> DetectInFile(const std::string& bytes,
                                                        std::string* path = nullptr) {
  char name[] = "/tmp/estargz_test_XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  absl::StatusOr<std::optional<EstargzBlob>> found = absl::InternalError("short write");
  if (write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) {
    found = DetectEstargz(fd, name);
  }
  close(fd);
  unlink(name);
  if (path != nullptr) *path = name;
  return found;
}

TEST(Reader, DetectsOwnOutput) {
  const std::string tar = absl::StrCat(File("a", "abc"), End());
  EstargzInfo info;
  absl::StatusOr<std::string> blob = Encode(tar, 1, &info);
  ASSERT_TRUE(blob.ok());
  absl::StatusOr<std::optional<EstargzBlob>> found = DetectInFile(*blob);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->toc_digest, info.toc_digest);
  // Plain gzip is not eStargz.
  StringSink gz;
  std::unique_ptr<ByteSink> e = NewEncoder(Compression::kGzip, 2, &gz);
  ASSERT_TRUE(e->Append(tar).ok() && e->Finish().ok());
  found = DetectInFile(gz.data());
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(Reader, FooterWithBrokenTocIsAnError) {
  // A gzip member holding a tar of stargz.index.json that is no TOC, then
  // a footer pointing at it.
  StringSink blob;
  {
    std::unique_ptr<ByteSink> e = NewEncoder(Compression::kGzip, 2, &blob);
    ASSERT_TRUE(e->Append(absl::StrCat(File("stargz.index.json", "[1]"), End())).ok());
    ASSERT_TRUE(e->Finish().ok());
  }
  const std::string bytes = blob.data() + estargz::FooterBytes(0);
  std::string path;
  absl::StatusOr<std::optional<EstargzBlob>> found = DetectInFile(bytes, &path);
  EXPECT_FALSE(found.ok());
  EXPECT_TRUE(absl::StrContains(found.status().message(), "TOC at offset 0 is broken"))
      << found.status();
}

TEST(Reader, TocRegionDecodesBounded) {
  // A footer pointing at a gzip stream of 300 MiB of zeros: more than any
  // TOC tar, so decoding stops at the bound, with an error naming the
  // file and the TOC offset, not at the stream's end.
  StringSink blob;
  {
    std::unique_ptr<ByteSink> e = NewEncoder(Compression::kGzip, 1, &blob);
    const std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(e->Append(zeros).ok());
    ASSERT_TRUE(e->Finish().ok());
  }
  const std::string bytes = blob.data() + estargz::FooterBytes(0);
  std::string path;
  absl::StatusOr<std::optional<EstargzBlob>> found = DetectInFile(bytes, &path);
  EXPECT_FALSE(found.ok());
  EXPECT_TRUE(absl::StrContains(found.status().message(), "TOC at offset 0 is broken"))
      << found.status();
  EXPECT_TRUE(absl::StrContains(found.status().message(), path)) << found.status();
}

TEST(Reader, TocTarOfTwoEntriesStopsEarly) {
  // The TOC tar's second entry ends decoding: not eStargz, whatever follows
  // (here a truncated gzip stream, which would otherwise be an error).
  StringSink blob;
  {
    std::unique_ptr<ByteSink> e = NewEncoder(Compression::kGzip, 2, &blob);
    ASSERT_TRUE(e->Append(absl::StrCat(File("stargz.index.json", "{}"), File("b", "x"),
                                       std::string(1 << 20, 'y')))
                    .ok());
    ASSERT_TRUE(e->Finish().ok());
  }
  const std::string bytes =
      blob.data().substr(0, blob.data().size() - 8) + estargz::FooterBytes(0);
  std::string path;
  absl::StatusOr<std::optional<EstargzBlob>> found = DetectInFile(bytes, &path);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace imagewriter
