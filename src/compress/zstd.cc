#include "src/compress/zstd.h"

#include <zstd_errors.h>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

// The decoder's window limit: 2^27 = 128 MiB, zstd -d's default.
constexpr int kMaxWindowLog = 27;

}  // namespace

ZstdEncoder::ZstdEncoder(ByteSink* out, int level, int /*threads*/)
    : out_(out), context_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize()) {
  if (context_ == nullptr) {
    init_ = absl::ResourceExhaustedError("cannot start the zstd encoder: out of memory");
    return;
  }
  // Every parameter shapes the bytes, so one that does not take is an
  // error. nbWorkers 0 is libzstd's default; it is set so that the mode is
  // stated, not inherited (see the header for why not threads).
  const struct {
    ZSTD_cParameter parameter;
    int value;
    const char* name;
  } parameters[] = {
      {ZSTD_c_compressionLevel, level, "compression level"},
      {ZSTD_c_nbWorkers, 0, "worker threads"},
      {ZSTD_c_checksumFlag, 1, "content checksum"},
      {ZSTD_c_contentSizeFlag, 0, "content size flag"},
  };
  for (const auto& p : parameters) {
    size_t rc = ZSTD_CCtx_setParameter(context_, p.parameter, p.value);
    if (ZSTD_isError(rc)) {
      init_ = absl::InternalError(absl::StrCat("cannot set the zstd encoder's ", p.name, " to ",
                                               p.value, ": ", ZSTD_getErrorName(rc)));
      return;
    }
  }
}

ZstdEncoder::~ZstdEncoder() { ZSTD_freeCCtx(context_); }

absl::Status ZstdEncoder::Compress(absl::string_view data,
                                   ZSTD_EndDirective mode) {
  if (!init_.ok()) return init_;
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
    : out_(out), context_(ZSTD_createDCtx()), buffer_(ZSTD_DStreamOutSize()) {
  if (context_ == nullptr) {
    init_ = absl::ResourceExhaustedError("cannot start the zstd decoder: out of memory");
    return;
  }
  // Set, not left to the library default, so the memory bound is ours.
  size_t rc = ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, kMaxWindowLog);
  if (ZSTD_isError(rc)) {
    init_ = absl::InternalError(
        absl::StrCat("cannot limit the zstd decoder's window: ", ZSTD_getErrorName(rc)));
  }
}

ZstdDecoder::~ZstdDecoder() { ZSTD_freeDCtx(context_); }

absl::Status ZstdDecoder::Append(absl::string_view data) {
  if (!init_.ok()) return init_;
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
    const size_t in_before = in.pos;
    hint = ZSTD_decompressStream(context_, &out, &in);
    if (ZSTD_getErrorCode(hint) == ZSTD_error_frameParameter_windowTooLarge) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "zstd frame near compressed offset ", start + in.pos, " needs a window over ",
          (1u << kMaxWindowLog) >> 20, " MiB, the decoder's memory limit (zstd -d's default)"));
    }
    if (ZSTD_isError(hint)) {
      return absl::DataLossError(absl::StrCat(
          "corrupt zstd stream near compressed offset ", start + in.pos, ": ",
          ZSTD_getErrorName(hint)));
    }
    if (in.pos == in_before && out.pos == 0 && in.pos < in.size) {
      // libzstd always progresses with input and output room; never spin.
      return absl::DataLossError(absl::StrCat("corrupt zstd stream near compressed offset ",
                                              start + in.pos, ": the decoder made no progress"));
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
  if (!init_.ok()) return init_;
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
