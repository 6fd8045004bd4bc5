// StoredGzipEncoder: gzip at level 0, byte for byte as Go's compress/gzip
// writes it with gzip.NoCompression (the bytes BuildKit's
// compression-level=0 layers have, so the one gzip level at which an
// imagewriter layer can equal BuildKit's blob).
//
// Go's deflate at NoCompression buffers its input across writes and emits
// a stored block whenever it holds 65535 bytes, so block boundaries depend
// only on the input's length, never on how it was split into Appends. The
// stream is:
//   - the fixed header 1f 8b 08 00 00000000 00 ff (XFL 0, OS 255);
//   - one non-final stored block (00, LEN, ~LEN, data) per 65535 bytes, the
//     last one partial; none for empty input;
//   - an empty final stored block 01 00 00 ff ff, always;
//   - CRC-32 and ISIZE, little endian.
// Finish writes the end of the stream, then finishes `out`.
// Encoding copies bytes, so there is nothing to spread over threads: the
// output is the same for any thread count because there is one.
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_STORED_GZIP_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_STORED_GZIP_H_

#include <cstdint>
#include <string>

#include "src/io/byte_sink.h"

namespace imagewriter {

class StoredGzipEncoder : public ByteSink {
 public:
  // Go's maxStoreBlockSize.
  static constexpr size_t kBlockSize = 65535;

  explicit StoredGzipEncoder(ByteSink* out) : out_(out) {}
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  absl::Status WriteHeaderOnce();
  absl::Status WriteBlock(bool final);

  ByteSink* out_;
  std::string pending_;  // Less than one block, not yet written.
  bool header_written_ = false;
  uint32_t crc_ = 0;
  uint32_t length_ = 0;  // ISIZE: the input length mod 2^32.
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_STORED_GZIP_H_
