#include "src/compress/zstd.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {

ZstdEncoder::ZstdEncoder(ByteSink* out, int level, int threads)
    : out_(out), context_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize()) {
  ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_nbWorkers, threads < 1 ? 1 : threads);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_contentSizeFlag, 0);
}

ZstdEncoder::~ZstdEncoder() { ZSTD_freeCCtx(context_); }

absl::Status ZstdEncoder::Compress(absl::string_view data,
                                   ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (true) {
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    size_t remaining = ZSTD_compressStream2(context_, &out, &in, mode);
    if (ZSTD_isError(remaining)) {
      return absl::InternalError(
          absl::StrCat("zstd compression failed: ", ZSTD_getErrorName(remaining)));
    }
    if (out.pos > 0) {
      absl::Status status =
          out_->Append(absl::string_view(buffer_.data(), out.pos));
      if (!status.ok()) return status;
    }
    bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
    if (done) return absl::OkStatus();
  }
}

absl::Status ZstdEncoder::Append(absl::string_view data) {
  return Compress(data, ZSTD_e_continue);
}

absl::Status ZstdEncoder::Finish() {
  return Compress(absl::string_view(), ZSTD_e_end);
}

ZstdDecoder::ZstdDecoder(ByteSink* out)
    : out_(out), context_(ZSTD_createDCtx()), buffer_(ZSTD_DStreamOutSize()) {}

ZstdDecoder::~ZstdDecoder() { ZSTD_freeDCtx(context_); }

absl::Status ZstdDecoder::Append(absl::string_view data) {
  if (data.empty()) return absl::OkStatus();
  saw_input_ = true;
  const uint64_t start = consumed_;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer out;
  size_t hint;
  // A full output buffer may leave decoded bytes inside the context; keep
  // calling until the input is used up and nothing more is pending. A hint of
  // 0 means the frame is complete and flushed.
  do {
    out = ZSTD_outBuffer{buffer_.data(), buffer_.size(), 0};
    hint = ZSTD_decompressStream(context_, &out, &in);
    if (ZSTD_isError(hint)) {
      return absl::DataLossError(absl::StrCat(
          "corrupt zstd stream near compressed offset ", start + in.pos, ": ",
          ZSTD_getErrorName(hint)));
    }
    consumed_ = start + in.pos;
    last_hint_ = hint;
    if (out.pos > 0) {
      absl::Status status =
          out_->Append(absl::string_view(buffer_.data(), out.pos));
      if (!status.ok()) return status;
    }
  } while (in.pos < in.size || (out.pos == out.size && hint != 0));
  return absl::OkStatus();
}

absl::Status ZstdDecoder::Finish() {
  if (!saw_input_) {
    return absl::DataLossError("empty zstd stream: expected a zstd frame");
  }
  if (last_hint_ != 0) {
    return absl::DataLossError(absl::StrCat(
        "truncated zstd stream: ended at compressed offset ", consumed_,
        " inside a frame"));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
