// EstargzVerifier: checks, as an eStargz blob passes through unchanged,
// that its TOC (read first from the blob's end by DetectEstargz) describes
// the tar the blob decodes to. stargz-snapshotter mounts a lazily pulled
// layer from the TOC alone, while a full pull extracts the tar; if they
// disagreed, what a container sees would depend on how it was pulled, and
// the path checks, which read the tar, would not cover the TOC.
//
// It is fed, in the one pass that decodes the blob: the decoded stream
// (Append), each gzip member's compressed offset as it starts (OnMember,
// from NewGzipDecoder), and the compressed bytes (compressed()). It checks
// that:
//   - the tar's entries and the TOC's non-chunk entries pair up in order,
//     none left over on either side, and each pair agrees on name (as
//     written, not cleaned; invalid UTF-8 read as U+FFFD, as JSON holds
//     it), type, size, linkName, mode, uid, gid, modtime
//     (as estargz formats it), devMajor/devMinor, xattrs, and userName and
//     groupName where the TOC has them (it leaves repeats out); an entry
//     without data has no offset or chunk fields;
//   - a regular file's data is cut into chunks by its reg entry and the
//     chunk entries after it, in order, covering the file exactly (a zero
//     chunkSize meaning "to the file's end", as estargz's reader takes it),
//     the chunk entries holding nothing but their chunk (and the name);
//     each chunk has a chunkDigest, the sha256 of its bytes, and its offset
//     is the gzip member it starts at: a member starts there, and decodes
//     from the chunk's first byte; the reg entry's digest, when given, is
//     the whole file's sha256;
//   - no tar entry is named stargz.index.json; at the TOC's member the tar
//     is at an entry boundary, and from there the stream is the TOC's tar,
//     whose JSON is the one read first (its sha256); the blob ends in the
//     footer read first. (Both were read apart from this pass: a file that
//     changed in between fails here.)
// Errors name the TOC entry (index and name), the tar entry (its header
// offset), the field, and both values. Memory: the TOC entries (owned by
// the caller's EstargzBlob) and a few hashes.
#ifndef IMAGEWRITER_ESTARGZ_TOC_VERIFIER_H_
#define IMAGEWRITER_ESTARGZ_TOC_VERIFIER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "src/digest/sha256_sink.h"
#include "src/estargz/estargz_reader.h"
#include "src/estargz/toc_parse.h"
#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

class EstargzVerifier : public ByteSink {
 public:
  // `blob` (with its entries) must outlive the verifier.
  explicit EstargzVerifier(const EstargzBlob& blob);
  EstargzVerifier(const EstargzVerifier&) = delete;
  EstargzVerifier& operator=(const EstargzVerifier&) = delete;

  // The decoded stream. Finish ends the checks; it finishes nothing else.
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;
  // A gzip member starts at this compressed offset; none of its decoded
  // bytes has been appended yet.
  void OnMember(uint64_t compressed_offset);
  // Where the compressed bytes go (only the last few are kept).
  ByteSink* compressed() { return &tail_; }

 private:
  // Keeps the stream's last footer-sized bytes and counts them all.
  class Tail : public ByteSink {
   public:
    absl::Status Append(absl::string_view data) override;
    absl::Status Finish() override { return absl::OkStatus(); }
    std::string bytes;
    uint64_t count = 0;
  };

  absl::Status OnEntry(const TarEntry& entry);
  absl::Status CompareEntry(size_t index, const TarEntry& entry) const;
  absl::Status CheckNoData(size_t index, const TarEntry& entry) const;
  absl::Status OnData(absl::string_view bytes);
  absl::Status StartChunk();
  absl::Status CheckChunkPlace(size_t index, uint64_t size) const;
  absl::Status EndChunk();
  absl::Status StartToc();
  absl::Status Mismatch(size_t index, uint64_t tar_offset, absl::string_view what) const;

  const std::vector<estargz::TocEntry>& toc_;
  const uint64_t toc_offset_;
  const Digest toc_digest_;
  size_t next_ = 0;     // The next TOC entry to pair.
  uint64_t pos_ = 0;    // Decoded bytes so far.
  uint64_t member_offset_ = 0, member_start_ = 0;  // The last member: compressed, decoded.
  uint64_t last_member_offset_ = 0;  // The last member of all, the footer's.
  bool in_toc_ = false;
  absl::Status deferred_;  // An OnMember failure, returned by the next call.
  TarReader tar_;
  estargz::TocTarSink toc_tar_;
  Tail tail_;

  // The regular file whose data is passing.
  size_t file_entry_ = 0;  // Its reg entry in toc_.
  uint64_t file_header_ = 0, file_data_ = 0;  // Its header's and data's tar offsets.
  uint64_t file_size_ = 0, file_done_ = 0;
  std::optional<Sha256Sink> file_hash_;
  size_t chunk_entry_ = 0;  // The current chunk's entry in toc_.
  uint64_t chunk_left_ = 0;
  std::optional<Sha256Sink> chunk_hash_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_TOC_VERIFIER_H_
