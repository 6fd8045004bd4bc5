// StoredMemberEncoder: gzip members at level 0, byte for byte as Go's
// compress/gzip writes a series of them with gzip.NoCompression, flushing
// and closing where the caller says: the bytes of an eStargz blob that
// BuildKit writes at compression-level=0.
//
// Each member is the fixed header 1f 8b 08 00 00000000 00 ff, then one
// non-final stored block per 65535 bytes of the member's data (Go's
// maxStoreBlockSize; boundaries count from the member's start, or from its
// last flush, never from how the data was split into Appends), then its
// end:
//   - kFlushAndClose: the partial block if any, the sync marker
//     00 00 00 ff ff (Flush), then 01 00 00 ff ff (Close);
//   - kClose: the partial block if any, then 01 00 00 ff ff;
// then CRC-32 and ISIZE. Nothing is compressed, so there is one thread and
// one output. (StoredGzipEncoder is the same layout for a single member.)
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_STORED_MEMBERS_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_STORED_MEMBERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "src/compress/gzip_member_encoder.h"

namespace imagewriter {

class StoredMemberEncoder : public GzipMemberEncoder {
 public:
  static constexpr size_t kBlockSize = 65535;

  explicit StoredMemberEncoder(ByteSink* out) : out_(out) {}
  absl::Status Append(absl::string_view data) override;
  absl::Status EndMember(End end) override;
  absl::StatusOr<std::vector<uint64_t>> Drain() override { return offsets_; }
  absl::Status Finish() override;

 private:
  absl::Status Write(absl::string_view bytes);
  absl::Status StartMemberOnce();
  absl::Status WriteBlock(bool final);

  ByteSink* out_;
  std::string pending_;  // Less than one block, not yet written.
  bool in_member_ = false;
  uint32_t crc_ = 0;
  uint32_t length_ = 0;
  uint64_t written_ = 0;
  std::vector<uint64_t> offsets_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_STORED_MEMBERS_H_
