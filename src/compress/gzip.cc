#include "src/compress/gzip.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBufferSize = 256 << 10;

}  // namespace

GzipDecoder::GzipDecoder(ByteSink* out) : out_(out), buffer_(kBufferSize) {
  inflateInit2(&stream_, 16 + 15);  // gzip framing only, with CRC checks.
}

GzipDecoder::~GzipDecoder() { inflateEnd(&stream_); }

absl::Status GzipDecoder::Append(absl::string_view data) {
  while (!data.empty()) {
    if (!in_member_) {
      inflateReset(&stream_);
      in_member_ = true;
      saw_member_ = true;
    }
    size_t piece = std::min<size_t>(data.size(), 1u << 30);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream_.avail_in = static_cast<uInt>(piece);
    int rc;
    do {
      stream_.next_out = buffer_.data();
      stream_.avail_out = static_cast<uInt>(buffer_.size());
      rc = inflate(&stream_, Z_NO_FLUSH);
      size_t produced = buffer_.size() - stream_.avail_out;
      if (produced > 0) {
        absl::Status status = out_->Append(absl::string_view(
            reinterpret_cast<const char*>(buffer_.data()), produced));
        if (!status.ok()) return status;
      }
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        uint64_t offset = consumed_ + (piece - stream_.avail_in);
        return absl::DataLossError(absl::StrCat(
            "corrupt gzip stream at compressed offset ", offset, ": ",
            stream_.msg != nullptr ? stream_.msg : "inflate failed"));
      }
    } while (rc == Z_OK && (stream_.avail_in > 0 || stream_.avail_out == 0));
    size_t used = piece - stream_.avail_in;
    consumed_ += used;
    data.remove_prefix(used);
    if (rc == Z_STREAM_END) in_member_ = false;
  }
  return absl::OkStatus();
}

absl::Status GzipDecoder::Finish() {
  if (!saw_member_) {
    return absl::DataLossError("empty gzip stream: expected a gzip member");
  }
  if (in_member_) {
    return absl::DataLossError(absl::StrCat(
        "truncated gzip stream: ended at compressed offset ", consumed_,
        " inside a member (missing data or CRC/length trailer)"));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
