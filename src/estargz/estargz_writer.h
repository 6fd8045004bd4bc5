// EstargzEncoder: a tar in, an eStargz blob out, in one streaming pass;
// the layout BuildKit writes for compression=estargz
// (util/compression/estargz.go: estargz.NewWriterLevel, then
// AppendTarLossLess, then Close, in stargz-snapshotter's estargz package
// v0.18: estargz.go Writer.appendTar, gzip.go WriteTOCAndFooter).
//
// The blob is a series of gzip members:
//   - The tar's bytes go out unchanged (lossless): headers, PAX and GNU
//     records, padding, the end-of-archive blocks and anything after them.
//   - A new member starts where each regular file's data starts, and again
//     every 4 MiB inside it, so each data chunk can be fetched and
//     decompressed alone. Headers and padding ride in the member before.
//   - Then one member holding a tar of one file, stargz.index.json (the
//     TOC: toc.h), written as Go's archive/tar writes it, with its
//     end-of-archive blocks.
//   - Then the 51-byte footer (footer.h) pointing at that member.
// Each member but the last data one and the TOC's is flushed before it is
// closed, as estargz's writer does. At level 0 the members are Go's stored
// blocks and the whole blob is BuildKit's, byte for byte. At levels 1..12
// they are deflated by libdeflate in 1 MiB blocks on `threads` threads
// (GzipMemberEncoder), so the bytes are the same for any thread count but
// not Go's deflate bytes; structure, TOC, footer, diffID and annotations
// are still BuildKit's.
//
// No landmark files (.prefetch.landmark, .no.prefetch.landmark) are added:
// BuildKit's path adds none (only estargz.Build does), and adding one would
// change the diffID. stargz-snapshotter then prefetches its default amount.
//
// Memory: the TOC, an entry per tar entry and per chunk (a few hundred
// bytes each), is held until the end, as estargz's writer holds it; the
// data itself streams through the member encoder's fixed buffers. The TOC
// is bounded: once its JSON would exceed kMaxTocBytes (estargz_reader.h,
// the most a reader here accepts), or its entries' memory
// estargz::kMaxTocMemoryBytes (an entry takes several times its JSON), the
// entry that takes it over fails with ResourceExhausted naming the entry's
// header offset.
//
// Refused, as the estargz package refuses them: an entry named
// stargz.index.json (after path cleaning; such an input is eStargz already
// and must be unpacked first), and entry types other than regular file,
// hard link, symlink, directory, character and block device and FIFO (a
// PAX global header included). Tar errors are TarReader's.
#ifndef IMAGEWRITER_ESTARGZ_ESTARGZ_WRITER_H_
#define IMAGEWRITER_ESTARGZ_ESTARGZ_WRITER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/compress/compression.h"
#include "src/digest/digest.h"
#include "src/digest/sha256_sink.h"
#include "src/estargz/toc.h"
#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

// What a finished eStargz blob is, beyond its own digest.
struct EstargzInfo {
  Digest toc_digest;  // sha256 of the TOC JSON.
  // The blob decompressed: the input tar, then the TOC's tar. Its sha256 is
  // the layer's diffID (as BuildKit computes it, by decompressing its own
  // output), not the input tar's.
  Digest diff_id;
  uint64_t uncompressed_size = 0;

  // The two descriptor annotations BuildKit sets.
  std::map<std::string, std::string> Annotations() const;
};

class EstargzEncoder : public ByteSink {
 public:
  static constexpr uint64_t kChunkSize = 4 << 20;  // estargz's default ChunkSize.

  // Levels as gzip's: 0 (Go's stored blocks) or 1..12 (libdeflate's).
  EstargzEncoder(ByteSink* out, int level, int threads);
  absl::Status Append(absl::string_view data) override;
  // Writes the TOC and the footer, then finishes `out`.
  absl::Status Finish() override;
  // Valid after Finish succeeded.
  const EstargzInfo& info() const { return info_; }
  // A lower TOC limit than kMaxTocBytes; for tests.
  void set_max_toc_bytes_for_testing(uint64_t n) { max_toc_bytes_ = n; }
  // A lower limit than estargz::kMaxTocMemoryBytes; for tests.
  void set_max_toc_memory_for_testing(uint64_t n) { max_toc_memory_ = n; }

 private:
  absl::Status OnSegment(TarReader::Segment kind, absl::string_view bytes,
                         const tar_header::Header* header);
  absl::Status OnEntry(const TarEntry& entry);
  absl::Status AddTocEntry(estargz::TocEntry entry, uint64_t header_offset);
  absl::Status WriteData(absl::string_view bytes);
  absl::Status StartChunk();
  void EndChunk();
  absl::Status WriteToc();
  std::string NameIfChanged(std::map<int64_t, std::string>* last, int64_t id,
                            const std::string& name);

  ByteSink* out_;
  std::unique_ptr<GzipMemberEncoder> members_;
  TarReader reader_;
  Sha256Sink diff_hash_;
  std::vector<estargz::TocEntry> toc_;
  uint64_t toc_bytes_ = 0;  // TOC JSON so far, at least.
  uint64_t max_toc_bytes_;
  uint64_t toc_memory_ = 0;  // TocEntryMemory of toc_, digests included.
  uint64_t max_toc_memory_;
  // For each TOC entry with data, the member its data starts (an index
  // into GzipMemberEncoder's offsets); resolved to offsets at the end.
  std::vector<std::pair<size_t, size_t>> entry_members_;
  size_t member_ = 0;  // The member being written.
  std::map<int64_t, std::string> last_uname_, last_gname_;

  // The regular file whose data is passing, if any.
  size_t file_entry_ = 0;        // Its reg entry in toc_.
  uint64_t file_header_offset_ = 0;
  uint64_t file_left_ = 0;       // Data bytes still to come.
  uint64_t file_done_ = 0;
  std::optional<Sha256Sink> file_hash_;
  uint64_t chunk_left_ = 0;      // Bytes still to come in the current chunk.
  size_t chunk_entry_ = 0;       // Its entry in toc_ (the reg one for the first).
  std::optional<Sha256Sink> chunk_hash_;

  EstargzInfo info_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_ESTARGZ_WRITER_H_
