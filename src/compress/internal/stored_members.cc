#include "src/compress/internal/stored_members.h"

#include <zlib.h>

#include <algorithm>

#include "src/compress/internal/gzip.h"

namespace imagewriter {
namespace {

void PutLittleEndian(uint32_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

absl::Status StoredMemberEncoder::Write(absl::string_view bytes) {
  written_ += bytes.size();
  return out_->Append(bytes);
}

// Go writes a member's header with its first byte, or at Close when there
// is none; either way where the member starts.
absl::Status StoredMemberEncoder::StartMemberOnce() {
  if (in_member_) return absl::OkStatus();
  in_member_ = true;
  offsets_.push_back(written_);
  crc_ = static_cast<uint32_t>(crc32(0, nullptr, 0));
  length_ = 0;
  const char header[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, static_cast<char>(kGzipOsByte)};
  return Write(absl::string_view(header, sizeof(header)));
}

// What is pending, as one stored block: BFINAL, BTYPE 00 and the padding
// make its first byte 00 or 01; then LEN and NLEN.
absl::Status StoredMemberEncoder::WriteBlock(bool final) {
  std::string block(1, final ? '\x01' : '\x00');
  const uint32_t len = static_cast<uint32_t>(pending_.size());
  PutLittleEndian(len, 2, &block);
  PutLittleEndian(~len & 0xffff, 2, &block);
  block += pending_;
  crc_ = static_cast<uint32_t>(
      crc32(crc_, reinterpret_cast<const Bytef*>(pending_.data()), static_cast<uInt>(len)));
  length_ += len;
  pending_.clear();
  return Write(block);
}

absl::Status StoredMemberEncoder::Append(absl::string_view data) {
  absl::Status s = data.empty() ? absl::OkStatus() : StartMemberOnce();
  while (s.ok() && !data.empty()) {
    const size_t take = std::min(kBlockSize - pending_.size(), data.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    if (pending_.size() == kBlockSize) s = WriteBlock(false);
  }
  return s;
}

absl::Status StoredMemberEncoder::EndMember(End end) {
  absl::Status s = StartMemberOnce();
  if (s.ok() && !pending_.empty()) s = WriteBlock(false);
  if (s.ok() && end == End::kFlushAndClose) s = WriteBlock(false);  // Empty: the sync marker.
  if (s.ok()) s = WriteBlock(true);  // Empty: Close's final block.
  if (!s.ok()) return s;
  std::string trailer;
  PutLittleEndian(crc_, 4, &trailer);
  PutLittleEndian(length_, 4, &trailer);
  in_member_ = false;
  return Write(trailer);
}

absl::Status StoredMemberEncoder::Finish() {
  absl::Status s = EndMember(End::kClose);
  return s.ok() ? out_->Finish() : s;
}

}  // namespace imagewriter
