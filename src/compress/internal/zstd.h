// Streaming zstd (RFC 8878) encode and decode with libzstd.
//
// The encoder cuts its input into fixed 4 MiB blocks and compresses each
// as a complete zstd frame (content size and checksum in the frame), on up
// to `threads` threads; the frames are written in order, so the stream is
// a concatenation of frames, which every zstd decoder reads as one (RFC
// 8878 section 3.1). A frame depends only on its block's bytes and the
// level, so the output is the same for any thread count, and with any
// libzstd build: each frame is written by libzstd's single-threaded mode.
// libzstd's own multi-threaded mode is not used: Debian's static libzstd.a
// is built without it, and its output differs from the single-threaded
// mode's. Frames share no history; at 4 MiB per block the loss is small
// (measured in docs/performance.md). The block size is part of the output
// contract. Every parameter is checked: one that libzstd refuses is an
// error, never a silently different blob.
//
// Memory: at most threads + 1 blocks (1 for one thread) are being
// compressed at once, each with its input, its output and a libzstd
// context; the caller's thread reads the next block meanwhile.
//
// The decoder accepts concatenated frames and skippable frames (RFC 8878
// §3.1.2), and fails on truncation with the compressed offset. Its memory is
// bounded: frames whose window exceeds 128 MiB (windowLog 27, the limit
// zstd -d applies unless told otherwise) are refused. Every call consumes
// input or produces output, or fails. Output runs at up to 32768 times the
// input (an RLE block: 4 bytes for 128 KiB), so time is bounded by what the
// consumer accepts (the layer writer's max_uncompressed_bytes), not by the
// input.
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_ZSTD_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_ZSTD_H_

#include <zstd.h>

#include <cstdint>
#include <deque>
#include <future>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class ZstdEncoder : public ByteSink {
 public:
  static constexpr size_t kBlockSize = 4 << 20;

  ZstdEncoder(ByteSink* out, int level, int threads);
  ~ZstdEncoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  // One block's frame, or the reason there is none.
  using Frame = absl::StatusOr<std::string>;

  void Submit();
  absl::Status WriteFrames(size_t keep_in_flight);

  ByteSink* out_;
  int level_;
  size_t max_in_flight_;
  std::string pending_;  // Input not yet submitted.
  std::deque<std::future<Frame>> in_flight_;  // In block order.
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

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_ZSTD_H_
