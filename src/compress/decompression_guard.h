// DecompressionGuard: a ByteSink between a decoder and its consumer that
// stops a decompression bomb.
//
// It counts the uncompressed bytes passing through and fails, before
// forwarding them, once they exceed `max_bytes`, or once they exceed 64 MiB
// and `max_ratio` times the compressed bytes read so far (as counted by the
// CountingSink the caller puts before the decoder). A limit of 0 is off.
// The error is ResourceExhausted and describes the data; it names the limit
// it hit as an option (kOptionMaxBytes or kOptionMaxRatio, see base/status.h
// WithOption), for callers that know how the limits were set to say so.
//
// Why both: gzip tops out near 1032:1, but a zstd stream of RLE blocks
// decodes at 32768:1, under any useful ratio; only the byte limit bounds it.
#ifndef IMAGEWRITER_COMPRESS_DECOMPRESSION_GUARD_H_
#define IMAGEWRITER_COMPRESS_DECOMPRESSION_GUARD_H_

#include <cstdint>

#include "src/io/byte_sink.h"

namespace imagewriter {

inline constexpr char kOptionMaxBytes[] = "max_bytes";
inline constexpr char kOptionMaxRatio[] = "max_ratio";

struct DecompressionLimits {
  uint64_t max_bytes = 256ULL << 30;
  uint64_t max_ratio = 100000;
};

class DecompressionGuard : public ByteSink {
 public:
  DecompressionGuard(DecompressionLimits limits, const CountingSink* compressed, ByteSink* next)
      : limits_(limits), compressed_(compressed), next_(next) {}

  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override { return next_->Finish(); }

 private:
  DecompressionLimits limits_;
  const CountingSink* compressed_;
  ByteSink* next_;
  uint64_t total_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_DECOMPRESSION_GUARD_H_
