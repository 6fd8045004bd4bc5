#include "src/compress/internal/gzip.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBufferSize = 256 << 10;

}  // namespace

GzipDecoder::GzipDecoder(ByteSink* out, std::function<void(uint64_t)> on_member)
    : out_(out), on_member_(std::move(on_member)), buffer_(kBufferSize) {
  // gzip framing only (16), 32 KiB window (15), with CRC checks. A failure
  // (out of memory, a zlib whose ABI differs from its header) is reported by
  // the first Append or Finish; a constructor cannot return it.
  const int rc = inflateInit2(&stream_, 16 + 15);
  if (rc != Z_OK) {
    init_ = absl::InternalError(absl::StrCat(
        "cannot start the gzip decoder: zlib inflateInit2 returned ", rc,
        stream_.msg != nullptr ? absl::StrCat(" (", stream_.msg, ")") : ""));
  }
}

GzipDecoder::~GzipDecoder() {
  if (init_.ok()) inflateEnd(&stream_);
}

absl::Status GzipDecoder::Append(absl::string_view data) {
  if (!init_.ok()) return init_;
  while (!data.empty()) {
    if (!in_member_) {
      inflateReset(&stream_);
      in_member_ = true;
      saw_member_ = true;
      if (on_member_) on_member_(consumed_);
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
    if (rc == Z_STREAM_END) {
      in_member_ = false;
    } else if (used == 0) {
      // zlib takes input whenever it has output room; never loop on none.
      return absl::DataLossError(absl::StrCat(
          "corrupt gzip stream at compressed offset ", consumed_, ": the decoder made no progress"));
    }
  }
  return absl::OkStatus();
}

absl::Status GzipDecoder::Finish() {
  if (!init_.ok()) return init_;
  if (!saw_member_) {
    return absl::DataLossError("empty gzip stream: expected a gzip member");
  }
  if (in_member_) {
    return absl::DataLossError(absl::StrCat(
        "truncated gzip stream: ended at compressed offset ", consumed_,
        " inside a member (missing data or CRC/length trailer)"));
  }
  return out_->Finish();
}

}  // namespace imagewriter
