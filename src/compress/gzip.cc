#include "src/compress/gzip.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBufferSize = 256 << 10;

void PutLittleEndian32(uint32_t v, unsigned char* p) {
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

}  // namespace

GzipEncoder::GzipEncoder(ByteSink* out, int level)
    : out_(out), level_(level), crc_(crc32(0, nullptr, 0)),
      buffer_(kBufferSize) {
  // Raw deflate (negative window bits): the gzip framing is ours, so that
  // every header byte is fixed.
  deflateInit2(&stream_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

GzipEncoder::~GzipEncoder() { deflateEnd(&stream_); }

absl::Status GzipEncoder::Deflate(absl::string_view data, int flush) {
  stream_.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  do {
    stream_.next_out = buffer_.data();
    stream_.avail_out = static_cast<uInt>(buffer_.size());
    int rc = deflate(&stream_, flush);
    if (rc == Z_STREAM_ERROR) return absl::InternalError("deflate failed");
    size_t produced = buffer_.size() - stream_.avail_out;
    if (produced > 0) {
      absl::Status status = out_->Append(absl::string_view(
          reinterpret_cast<const char*>(buffer_.data()), produced));
      if (!status.ok()) return status;
    }
    if (flush == Z_FINISH && rc == Z_STREAM_END) break;
  } while (stream_.avail_out == 0 || stream_.avail_in > 0 ||
           flush == Z_FINISH);
  return absl::OkStatus();
}

absl::Status GzipEncoder::Append(absl::string_view data) {
  if (!header_written_) {
    unsigned char xfl = level_ == 9 ? 2 : (level_ == 1 ? 4 : 0);
    const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl,
                                      kGzipOsByte};
    absl::Status status = out_->Append(
        absl::string_view(reinterpret_cast<const char*>(header), 10));
    if (!status.ok()) return status;
    header_written_ = true;
  }
  // zlib takes uInt lengths; feed at most 1 GiB per call.
  while (!data.empty()) {
    absl::string_view piece = data.substr(0, 1u << 30);
    crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(piece.data()),
                 static_cast<uInt>(piece.size()));
    length_ += static_cast<uint32_t>(piece.size());  // ISIZE is mod 2^32.
    absl::Status status = Deflate(piece, Z_NO_FLUSH);
    if (!status.ok()) return status;
    data.remove_prefix(piece.size());
  }
  return absl::OkStatus();
}

absl::Status GzipEncoder::Finish() {
  if (!header_written_) {
    absl::Status status = Append(absl::string_view());
    if (!status.ok()) return status;
  }
  absl::Status status = Deflate(absl::string_view(), Z_FINISH);
  if (!status.ok()) return status;
  unsigned char trailer[8];
  PutLittleEndian32(crc_, trailer);
  PutLittleEndian32(length_, trailer + 4);
  return out_->Append(
      absl::string_view(reinterpret_cast<const char*>(trailer), 8));
}

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
