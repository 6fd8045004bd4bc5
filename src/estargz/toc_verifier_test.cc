// ParseToc's strictness and bound, and EstargzVerifier against blobs whose
// TOC lies about their tar: made by this package's encoder, then with the
// TOC member re-made from edited entries and the footer pointed at it.
#include "src/estargz/toc_verifier.h"

#include <stdlib.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/compress/compression.h"
#include "src/estargz/estargz_writer.h"
#include "src/estargz/footer.h"
#include "src/estargz/toc_parse.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

using estargz::TocEntry;
using testing_tar::End;
using testing_tar::File;
using testing_tar::Header;

std::string Gzip(absl::string_view data) {
  StringSink out;
  std::unique_ptr<ByteSink> e = NewEncoder(Compression::kGzip, 2, &out);
  EXPECT_TRUE(e->Append(data).ok() && e->Finish().ok());
  return out.data();
}

std::string Encode(absl::string_view tar) {
  StringSink out;
  EstargzEncoder encoder(&out, 2, 1);
  EXPECT_TRUE(encoder.Append(tar).ok() && encoder.Finish().ok());
  return out.data();
}

uint64_t TocOffset(const std::string& blob) {
  absl::StatusOr<uint64_t> offset =
      estargz::ParseFooter(absl::string_view(blob).substr(blob.size() - estargz::kFooterSize));
  EXPECT_TRUE(offset.ok());
  return offset.ok() ? *offset : 0;
}

std::vector<TocEntry> Entries(const std::string& blob) {
  estargz::TocTarSink toc(kMaxTocBytes);
  std::unique_ptr<ByteSink> d = NewDecoder(Compression::kGzip, &toc);
  EXPECT_TRUE(d->Append(absl::string_view(blob).substr(TocOffset(blob))).ok());
  EXPECT_TRUE(d->Finish().ok());
  absl::StatusOr<std::vector<TocEntry>> entries = estargz::ParseToc(toc.json());
  EXPECT_TRUE(entries.ok()) << entries.status();
  return entries.ok() ? *entries : std::vector<TocEntry>{};
}

// The blob with its TOC's entries edited, the data members untouched.
std::string Relaid(const std::string& blob, const std::function<void(std::vector<TocEntry>*)>& edit) {
  std::vector<TocEntry> entries = Entries(blob);
  edit(&entries);
  const std::string json = estargz::TocJson(entries);
  const uint64_t offset = TocOffset(blob);
  const std::string tar = absl::StrCat(Header(estargz::kTocTarName, json.size()), json,
                                       std::string((512 - json.size() % 512) % 512, '\0'), End());
  return absl::StrCat(blob.substr(0, offset), Gzip(tar), estargz::FooterBytes(offset));
}

// Detects the blob in a file, then streams it (or `streamed`, as if the
// file changed in between) through the verifier as WriteLayer does, in
// 1000-byte pieces.
absl::Status Verify(const std::string& blob, std::string streamed = "") {
  char name[] = "/tmp/toc_verifier_test_XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  absl::StatusOr<std::optional<EstargzBlob>> found = absl::InternalError("short write");
  if (write(fd, blob.data(), blob.size()) == static_cast<ssize_t>(blob.size())) {
    found = DetectEstargz(fd, name);
  }
  close(fd);
  unlink(name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::NotFoundError("not eStargz");
  EstargzVerifier verifier(**found);
  std::unique_ptr<ByteSink> d =
      NewGzipDecoder(&verifier, [&verifier](uint64_t at) { verifier.OnMember(at); });
  if (streamed.empty()) streamed = blob;
  for (size_t i = 0; i < streamed.size(); i += 1000) {
    const absl::string_view piece = absl::string_view(streamed).substr(i, 1000);
    absl::Status s = verifier.compressed()->Append(piece);
    if (s.ok()) s = d->Append(piece);
    if (!s.ok()) return s;
  }
  return d->Finish();
}

std::string Data(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7919 + i / 3) % 23);
  return s;
}

// A directory, a file of three chunks (4 + 4 + 1 MiB), a small file, an
// empty one and a symlink.
std::string Tar() {
  return absl::StrCat(Header("etc/", 0, '5'), File("etc/big", Data((9 << 20) - 5)),
                      File("etc/hello", "hello\n"), File("etc/empty", ""),
                      Header("etc/link", 0, '2', "hello"), End());
}

void ExpectRefused(const std::string& blob, const std::string& part) {
  absl::Status s = Verify(blob);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), part)) << s;
}

size_t Find(const std::vector<TocEntry>& entries, const std::string& name, const std::string& type) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].name == name && entries[i].type == type) return i;
  }
  ADD_FAILURE() << name << " " << type;
  return 0;
}

TEST(Verifier, AcceptsTheEncodersOutputAndItsOwnTocRelaid) {
  const std::string blob = Encode(Tar());
  EXPECT_TRUE(Verify(blob).ok()) << Verify(blob);
  EXPECT_TRUE(Verify(Relaid(blob, [](std::vector<TocEntry>*) {})).ok());
  // An empty tar: no entries, a null TOC.
  EXPECT_TRUE(Verify(Encode(End())).ok()) << Verify(Encode(End()));
}

TEST(Verifier, AcceptsNamesThatAreNotUtf8) {
  // The TOC holds U+FFFD where the tar has a byte that is no UTF-8, as
  // every writer must: JSON cannot hold the byte.
  const std::string blob = Encode(absl::StrCat(File("caf\xe9", "x"),
                                               Header("l\xff", 0, '2', "caf\xe9"), End()));
  EXPECT_EQ(Entries(blob)[0].name, "caf\xef\xbf\xbd");
  EXPECT_TRUE(Verify(blob).ok()) << Verify(blob);
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[1].link_name = "caf"; }),
                "linkName is \"caf\" in the TOC but \"caf\\357\\277\\275\" in the tar");
}

TEST(Verifier, RefusesARenamedEntry) {
  ExpectRefused(Relaid(Encode(Tar()), [](std::vector<TocEntry>* e) {
                  (*e)[Find(*e, "etc/hello", "reg")].name = "../../etc/passwd";
                }),
                "TOC entries[4] (\"../../etc/passwd\") and the tar entry at offset 9438208: "
                "name is \"../../etc/passwd\" in the TOC but \"etc/hello\" in the tar");
}

TEST(Verifier, RefusesAWrongOffsetOrChunkDigest) {
  const std::string blob = Encode(Tar());
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[2].offset += 1; }),
                "offset is ");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) {
                  (*e)[2].chunk_digest = Digest::Sha256Of("x").ToString();
                }),
                "chunkDigest is \"" + Digest::Sha256Of("x").ToString());
  // A chunk moved to where another starts: its bytes are not the chunk's.
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[2].offset = (*e)[3].offset; }),
                "offset is ");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[1].digest = (*e)[2].chunk_digest; }),
                "digest is ");
  // A reg entry cut short: its first chunk's bytes are not the ones hashed.
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[1].chunk_size = 1 << 20; }),
                "the chunk's bytes (chunkOffset 0, 1048576 bytes) hash to");
  // A chunk entry carrying what belongs to the file.
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[2].mode = 04755; }),
                "a chunk entry has fields beyond name, type");
  // A chunk that does not follow on from the one before.
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[2].chunk_offset += 1; }),
                "chunkOffset is 4194305 in the TOC but the previous chunks end at 4194304");
}

TEST(Verifier, RefusesEntriesMissingOrExtra) {
  const std::string blob = Encode(Tar());
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) {
                  TocEntry extra;
                  extra.name = "bin/sh";
                  extra.type = "symlink";
                  extra.link_name = "/evil";
                  e->push_back(extra);
                }),
                "TOC entries[7] (\"bin/sh\", type \"symlink\") is not in the tar");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { e->pop_back(); }),
                "the tar entry at offset 9439744 (\"etc/link\") is not in the TOC");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { e->erase(e->begin() + 3); }),
                "the file has 9437179 bytes, but its chunks in the TOC end at 8388608");
}

TEST(Verifier, RefusesOtherFields) {
  const std::string blob = Encode(Tar());
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[0].mode = 04755; }),
                "mode is 2541 in the TOC but 420 in the tar");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { e->back().link_name = "/etc/shadow"; }),
                "linkName is \"/etc/shadow\" in the TOC but \"hello\" in the tar");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[0].xattrs["security.capability"] = "x"; }),
                "xattrs is {\"security.capability\": \"x\"} in the TOC but {} in the tar");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[0].type = "reg"; }),
                "type is \"reg\" in the TOC but \"dir\" in the tar");
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) {
                  (*e)[Find(*e, "etc/empty", "reg")].offset = 512;
                }),
                "the entry has no data, but the TOC gives it offset 512");
}

TEST(Verifier, RefusesATarEntryNamedLikeTheToc) {
  const std::string blob = Encode(absl::StrCat(File("stargz.index.jsonx", "{}"), End()));
  ExpectRefused(Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[0].name = "stargz.index.json"; }),
                "name is \"stargz.index.json\" in the TOC but \"stargz.index.jsonx\"");
}

TEST(Verifier, RefusesATocOrFooterThatChangedAfterDetection) {
  const std::string blob = Encode(Tar());
  const std::string other = Relaid(blob, [](std::vector<TocEntry>* e) { (*e)[0].mode = 0700; });
  absl::Status s = Verify(blob, other);
  EXPECT_TRUE(absl::StrContains(s.message(), ") is not the one read first (")) << s;
  s = Verify(blob, blob.substr(0, blob.size() - 1) + "x");
  EXPECT_FALSE(s.ok());
  s = Verify(blob, blob.substr(0, blob.size() - estargz::kFooterSize) +
                       estargz::FooterBytes(TocOffset(blob) + 1));
  EXPECT_TRUE(absl::StrContains(s.message(), "the stream does not end in the eStargz footer")) << s;
}

TEST(ParseToc, IsStrictWhereGoIsLax) {
  auto error = [](const std::string& json) {
    absl::StatusOr<std::vector<TocEntry>> e = estargz::ParseToc(json);
    return e.ok() ? std::string("ok") : std::string(e.status().message());
  };
  EXPECT_EQ(error(R"({"version": 1, "entries": null})"), "ok");
  EXPECT_EQ(error(R"({"version": 1, "entries": [{"name": "a", "type": "dir", "innerOffset": 0}]})"),
            "ok");
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "entries": [{"Name": "a"}]})"),
                               "entries[0]: \"Name\": not a key of a TOC entry"));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "entries": [{"name": null}]})"),
                               "entries[0]: \"name\": expected a string, got null"));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "entries": [{"size": 1.0}]})"),
                               "entries[0]: \"size\": expected an integer"));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "entries": [{"innerOffset": 5}]})"),
                               "entries[0]: \"innerOffset\": is 5"));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "entries": [{"xattrs": {"a": "eA"}}]})"),
                               "entries[0]: \"xattrs\": the value of \"a\""));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 1, "Entries": [], "entries": []})"),
                               "\"Entries\": not a key of a TOC"));
  EXPECT_TRUE(absl::StartsWith(error(R"({"version": 2, "entries": []})"), "not a TOC"));
}

TEST(ParseToc, BoundsTheEntriesMemory) {
  // Tiny entries: 14 bytes of JSON each, several hundred in memory.
  std::string json = R"({"version": 1, "entries": [)";
  for (int i = 0; i < 10000; ++i) absl::StrAppend(&json, i ? "," : "", R"({"name": "a"})");
  json += "]}";
  EXPECT_TRUE(estargz::ParseToc(json).ok());
  absl::StatusOr<std::vector<TocEntry>> e = estargz::ParseToc(json, 20 * json.size());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kResourceExhausted) << e.status();
  EXPECT_TRUE(absl::StrContains(e.status().message(), "bytes of memory at entries[")) << e.status();
}

TEST(ParseToc, ReadsBackWhatTheEncoderWritesWithinTheSameBound) {
  // The tightest memory bound the encoder meets for a tar of files, links
  // and directories: the reader meets it too, counting the same way.
  std::string tar;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&tar, Header(absl::StrCat("dir", i, "/"), 0, '5'),
                    File(absl::StrCat("dir", i, "/a-name-longer-than-fifteen"), "data"),
                    File(absl::StrCat("e", i), ""), Header(absl::StrCat("l", i), 0, '2', "e0"));
  }
  tar += End();
  for (uint64_t bound = 50 * 4 * sizeof(TocEntry);; bound += 1024) {
    StringSink out;
    EstargzEncoder encoder(&out, 2, 1);
    encoder.set_max_toc_memory_for_testing(bound);
    if (!encoder.Append(tar).ok() || !encoder.Finish().ok()) continue;
    estargz::TocTarSink toc(kMaxTocBytes);
    std::unique_ptr<ByteSink> d = NewDecoder(Compression::kGzip, &toc);
    ASSERT_TRUE(d->Append(absl::string_view(out.data()).substr(TocOffset(out.data()))).ok());
    ASSERT_TRUE(d->Finish().ok());
    absl::StatusOr<std::vector<TocEntry>> e = estargz::ParseToc(toc.json(), bound);
    EXPECT_TRUE(e.ok()) << e.status() << " at " << bound;
    // The encoder reserves for digests it may not set, so the reader's
    // count is lower, though not by much.
    EXPECT_FALSE(estargz::ParseToc(toc.json(), bound * 9 / 10).ok());
    break;
  }
}

}  // namespace
}  // namespace imagewriter
