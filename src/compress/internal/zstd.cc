#include "src/compress/internal/zstd.h"

#include <zstd_errors.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

// The decoder's window limit: 2^27 = 128 MiB, zstd -d's default.
constexpr int kMaxWindowLog = 27;

// One block as one complete frame, by libzstd's single-threaded mode.
absl::StatusOr<std::string> CompressFrame(const std::string& block, int level) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (context == nullptr) return absl::ResourceExhaustedError("cannot start the zstd encoder: out of memory");
  // Every parameter shapes the bytes, so one that does not take is an
  // error; each is set, not inherited, so that the frame format is ours.
  const struct {
    ZSTD_cParameter parameter;
    int value;
    const char* name;
  } parameters[] = {
      {ZSTD_c_compressionLevel, level, "compression level"},
      {ZSTD_c_nbWorkers, 0, "worker threads"},
      {ZSTD_c_checksumFlag, 1, "content checksum"},
      {ZSTD_c_contentSizeFlag, 1, "content size flag"},
  };
  for (const auto& p : parameters) {
    size_t rc = ZSTD_CCtx_setParameter(context.get(), p.parameter, p.value);
    if (ZSTD_isError(rc)) {
      return absl::InternalError(absl::StrCat("cannot set the zstd encoder's ", p.name, " to ", p.value,
                                              ": ", ZSTD_getErrorName(rc)));
    }
  }
  std::string frame(ZSTD_compressBound(block.size()), '\0');
  size_t size = ZSTD_compress2(context.get(), frame.data(), frame.size(), block.data(), block.size());
  if (ZSTD_isError(size)) {
    return absl::InternalError(absl::StrCat("zstd compression failed: ", ZSTD_getErrorName(size)));
  }
  frame.resize(size);
  return frame;
}

}  // namespace

ZstdEncoder::ZstdEncoder(ByteSink* out, int level, int threads)
    : out_(out), level_(level),
      // One more block than threads: the caller's thread hashes and
      // validates between blocks, so one more keeps the cores busy. One
      // thread asked for means one.
      max_in_flight_(threads <= 1 ? 1 : static_cast<size_t>(threads) + 1) {}

// Waits for what is in flight, so that no worker outlives the encoder.
ZstdEncoder::~ZstdEncoder() {
  for (std::future<Frame>& frame : in_flight_) frame.wait();
}

void ZstdEncoder::Submit() {
  in_flight_.push_back(std::async(std::launch::async, [block = std::move(pending_), level = level_] {
    return CompressFrame(block, level);
  }));
  pending_.clear();
}

absl::Status ZstdEncoder::WriteFrames(size_t keep_in_flight) {
  while (in_flight_.size() > keep_in_flight) {
    Frame frame = in_flight_.front().get();
    in_flight_.pop_front();
    if (!frame.ok()) return frame.status();
    absl::Status s = out_->Append(*frame);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ZstdEncoder::Append(absl::string_view data) {
  while (!data.empty()) {
    size_t take = std::min(kBlockSize - pending_.size(), data.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    if (pending_.size() == kBlockSize) {
      Submit();
      absl::Status s = WriteFrames(max_in_flight_ - 1);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ZstdEncoder::Finish() {
  // The last block may be short; an empty input is one empty frame.
  if (!pending_.empty() || in_flight_.empty()) Submit();
  absl::Status s = WriteFrames(0);
  return s.ok() ? out_->Finish() : s;
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
  return out_->Finish();
}

}  // namespace imagewriter
