// Streaming zstd (RFC 8878) encode and decode with libzstd.
//
// The encoder always runs libzstd's multi-threaded mode (at least one
// worker), with a content checksum and no content size in the frame header:
// libzstd's output in that mode is the same for any number of workers, so it
// depends only on the input bytes and the level. The decoder accepts concatenated frames and skippable
// frames, and fails on truncation with the compressed offset.
#ifndef IMAGEWRITER_COMPRESS_ZSTD_H_
#define IMAGEWRITER_COMPRESS_ZSTD_H_

#include <zstd.h>

#include <cstdint>
#include <vector>

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
  uint64_t consumed_ = 0;
  size_t last_hint_ = 1;  // 0 once a frame is complete.
  bool saw_input_ = false;
  std::vector<char> buffer_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_ZSTD_H_
