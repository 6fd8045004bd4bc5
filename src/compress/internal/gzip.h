// Streaming gzip (RFC 1952) decoding with zlib. (Encoding is
// ParallelGzipEncoder, in parallel_gzip.h, and at level 0
// StoredGzipEncoder, in stored_gzip.h.)
//
// Every gzip stream imagewriter writes has a fixed 10-byte header: no FNAME,
// no FCOMMENT, MTIME 0, XFL as RFC 1952 prescribes for the level (2 = level
// 9 and up, 4 = level 1, else 0), and OS = kGzipOsByte (255, "unknown", the byte
// Go's compress/gzip writes), so the header carries nothing about the host.
//
// The decoder accepts concatenated members (as gzip -d does), checks every
// member's CRC-32 and length, and reports the compressed offset of an error.
// Every call consumes input or produces output, or fails: a stream cannot
// keep it busy without progress. Memory is zlib's 32 KiB window plus one
// 256 KiB output buffer.
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_GZIP_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_GZIP_H_

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

// The OS byte written in every gzip header (255: unknown).
inline constexpr unsigned char kGzipOsByte = 255;

class GzipDecoder : public ByteSink {
 public:
  // on_member, if given, gets each member's compressed offset as it starts.
  explicit GzipDecoder(ByteSink* out, std::function<void(uint64_t)> on_member = nullptr);
  ~GzipDecoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  ByteSink* out_;
  std::function<void(uint64_t)> on_member_;
  absl::Status init_;  // Why zlib could not start, if it could not.
  z_stream stream_{};
  uint64_t consumed_ = 0;      // Compressed bytes consumed so far.
  bool in_member_ = false;     // Inside a member (header seen, no trailer yet).
  bool saw_member_ = false;
  std::vector<unsigned char> buffer_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_GZIP_H_
