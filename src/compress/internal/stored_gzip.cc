#include "src/compress/internal/stored_gzip.h"

#include <zlib.h>

#include <algorithm>

#include "src/compress/internal/gzip.h"

namespace imagewriter {
namespace {

void PutLittleEndian16(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
}

void PutLittleEndian32(uint32_t v, std::string* out) {
  PutLittleEndian16(v & 0xffff, out);
  PutLittleEndian16(v >> 16, out);
}

}  // namespace

absl::Status StoredGzipEncoder::WriteHeaderOnce() {
  if (header_written_) return absl::OkStatus();
  header_written_ = true;
  const char header[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, static_cast<char>(kGzipOsByte)};
  return out_->Append(absl::string_view(header, sizeof(header)));
}

// Writes what is pending as one stored block (BFINAL = `final`; BTYPE 00
// and the padding to a byte boundary make the first byte 00 or 01).
absl::Status StoredGzipEncoder::WriteBlock(bool final) {
  std::string block;
  block.reserve(5 + pending_.size());
  block.push_back(final ? 1 : 0);
  const uint32_t len = static_cast<uint32_t>(pending_.size());
  PutLittleEndian16(len, &block);
  PutLittleEndian16(~len & 0xffff, &block);
  block += pending_;
  crc_ = static_cast<uint32_t>(
      crc32(crc_, reinterpret_cast<const Bytef*>(pending_.data()), static_cast<uInt>(len)));
  length_ += len;
  pending_.clear();
  return out_->Append(block);
}

absl::Status StoredGzipEncoder::Append(absl::string_view data) {
  absl::Status s = WriteHeaderOnce();
  while (s.ok() && !data.empty()) {
    const size_t take = std::min(kBlockSize - pending_.size(), data.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    // Go writes a block as soon as its window holds a full one.
    if (pending_.size() == kBlockSize) s = WriteBlock(false);
  }
  return s;
}

absl::Status StoredGzipEncoder::Finish() {
  absl::Status s = WriteHeaderOnce();
  if (s.ok() && !pending_.empty()) s = WriteBlock(false);
  if (s.ok()) s = WriteBlock(true);  // Empty: Go's close() always ends so.
  if (!s.ok()) return s;
  std::string trailer;
  PutLittleEndian32(crc_, &trailer);
  PutLittleEndian32(length_, &trailer);
  s = out_->Append(trailer);
  return s.ok() ? out_->Finish() : s;  // Finish flows down (byte_sink.h).
}

}  // namespace imagewriter
