// Streaming zstd (RFC 8878) encode and decode with libzstd.
//
// The encoder runs libzstd's single-threaded mode (nbWorkers 0), with a
// content checksum and no content size in the frame header, so its output
// depends only on the input bytes and the level. Not the multi-threaded
// mode: Debian's static libzstd.a is built without ZSTD_MULTITHREAD and
// refuses workers, its shared library accepts them, and the two modes write
// different bytes; single-threaded is the one mode every build writes the
// same. `threads` is therefore unused. Every parameter is checked: one that
// libzstd refuses is an error (from the first Append or Finish), never a
// silently different blob.
//
// The decoder accepts concatenated frames and skippable frames (RFC 8878
// §3.1.2), and fails on truncation with the compressed offset. Its memory is
// bounded: frames whose window exceeds 128 MiB (windowLog 27, the limit
// zstd -d applies unless told otherwise) are refused. Every call consumes
// input or produces output, or fails. Output runs at up to 32768 times the
// input (an RLE block: 4 bytes for 128 KiB), so time is bounded by what the
// consumer accepts (the layer writer's max_uncompressed_bytes), not by the
// input.
#ifndef IMAGEWRITER_COMPRESS_ZSTD_H_
#define IMAGEWRITER_COMPRESS_ZSTD_H_

#include <zstd.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class ZstdEncoder : public ByteSink {
 public:
  ZstdEncoder(ByteSink* out, int level, int threads);
  ~ZstdEncoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  absl::Status Compress(absl::string_view data, ZSTD_EndDirective mode);
  ByteSink* out_;
  ZSTD_CCtx* context_;
  absl::Status init_;  // The first parameter libzstd refused, if any.
  std::vector<char> buffer_;
};

class ZstdDecoder : public ByteSink {
 public:
  explicit ZstdDecoder(ByteSink* out);
  ~ZstdDecoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  ByteSink* out_;
  ZSTD_DCtx* context_;
  absl::Status init_;
  uint64_t consumed_ = 0;
  size_t last_hint_ = 1;  // 0 once a frame is complete.
  bool saw_input_ = false;
  std::vector<char> buffer_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_ZSTD_H_
