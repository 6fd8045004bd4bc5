#include "src/compress/compression.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/compress/internal/gzip.h"
#include "src/compress/internal/parallel_gzip.h"
#include "src/compress/internal/stored_gzip.h"
#include "src/compress/internal/stored_members.h"
#include "src/compress/internal/zstd.h"

namespace imagewriter {
namespace {

// Passes bytes through; the kNone codec.
class ForwardingSink : public ByteSink {
 public:
  explicit ForwardingSink(ByteSink* out) : out_(out) {}
  absl::Status Append(absl::string_view data) override {
    return out_->Append(data);
  }
  absl::Status Finish() override { return out_->Finish(); }

 private:
  ByteSink* out_;
};

// Refuses every byte; what NewEncoder gives for an encoding it does not
// write.
class FailingSink : public ByteSink {
 public:
  explicit FailingSink(std::string why) : why_(std::move(why)) {}
  absl::Status Append(absl::string_view) override { return absl::InternalError(why_); }
  absl::Status Finish() override { return absl::InternalError(why_); }

 private:
  std::string why_;
};

// A decoder whose first decoded bytes are checked for a second layer of
// compression. It holds back at most 4 bytes until it can tell.
class CheckedDecoder : public ByteSink {
 public:
  CheckedDecoder(Compression c, const std::function<std::unique_ptr<ByteSink>(ByteSink*)>& make,
                 ByteSink* out)
      : outer_(c), head_(this), decoder_(make(&head_)), out_(out) {}
  absl::Status Append(absl::string_view data) override { return decoder_->Append(data); }
  // The decoder finishes Head, which finishes `out`.
  absl::Status Finish() override { return decoder_->Finish(); }

 private:
  // Receives the decoder's output.
  class Head : public ByteSink {
   public:
    explicit Head(CheckedDecoder* owner) : owner_(owner) {}
    absl::Status Append(absl::string_view data) override { return owner_->Decoded(data); }
    absl::Status Finish() override { return owner_->DecodedAll(); }

   private:
    CheckedDecoder* owner_;
  };

  absl::Status Decoded(absl::string_view data) {
    if (checked_) return out_->Append(data);
    const size_t take = std::min(kMagicBytes - held_.size(), data.size());
    held_.append(data.data(), take);
    data.remove_prefix(take);
    if (held_.size() < kMagicBytes) return absl::OkStatus();
    absl::Status status = Release();
    return status.ok() && !data.empty() ? out_->Append(data) : status;
  }

  absl::Status DecodedAll() {
    absl::Status status = Release();
    return status.ok() ? out_->Finish() : status;
  }

  // Checks what is held (all of a stream shorter than the magic) and passes
  // it on.
  absl::Status Release() {
    if (checked_) return absl::OkStatus();
    checked_ = true;
    const Compression inner = DetectCompression(held_);
    if (inner != Compression::kNone) {
      return absl::DataLossError(absl::StrCat(
          "the ", CompressionName(outer_), " stream contains ", CompressionName(inner),
          " data (its decoded bytes start with the ", CompressionName(inner),
          " magic), not a tar: the input is compressed twice"));
    }
    return held_.empty() ? absl::OkStatus() : out_->Append(held_);
  }

  static constexpr size_t kMagicBytes = 4;
  Compression outer_;
  Head head_;
  std::unique_ptr<ByteSink> decoder_;
  ByteSink* out_;
  std::string held_;
  bool checked_ = false;
};

template <typename Decoder>
std::unique_ptr<ByteSink> Make(ByteSink* out) {
  return std::make_unique<Decoder>(out);
}

// The first bytes of a zstd skippable frame: magic 0x184D2A50..5F, little
// endian (RFC 8878 §3.1.2).
bool IsZstdSkippableMagic(absl::string_view prefix) {
  return prefix.size() >= 4 && (static_cast<unsigned char>(prefix[0]) & 0xf0) == 0x50 &&
         prefix.substr(1, 3) == "\x2a\x4d\x18";
}

}  // namespace

Compression DetectCompression(absl::string_view prefix) {
  if (prefix.size() >= 2 && static_cast<unsigned char>(prefix[0]) == 0x1f &&
      static_cast<unsigned char>(prefix[1]) == 0x8b) {
    return Compression::kGzip;
  }
  if (prefix.size() >= 4 && prefix.substr(0, 4) == "\x28\xb5\x2f\xfd") {
    return Compression::kZstd;
  }
  // libzstd reads past skippable frames to the data frames; if none
  // follows, decoding says what is wrong.
  if (IsZstdSkippableMagic(prefix)) return Compression::kZstd;
  return Compression::kNone;
}

int DefaultLevel(Compression c) {
  switch (c) {
    case Compression::kGzip:
    case Compression::kEstargz:
      // libdeflate's level 2: measured in bench/ as the fastest level whose
      // output is smaller than Go's pgzip default (what skopeo writes).
      return 2;
    case Compression::kZstd:
      return 3;
    case Compression::kNone:
      return 0;
  }
  return 0;
}

absl::Status CheckLevel(Compression c, int level) {
  int lo = 0, hi = 0;
  if (c == Compression::kGzip) lo = 0, hi = 12;
  if (c == Compression::kEstargz) lo = 0, hi = 12;
  if (c == Compression::kZstd) lo = 1, hi = 19;
  if (c == Compression::kNone && level == 0) return absl::OkStatus();
  if (level < lo || level > hi) {
    return WithOption(kOptionLevel,
                      absl::InvalidArgumentError(
                          c == Compression::kNone
                              ? absl::StrCat("level ", level, " given with compression none")
                              : absl::StrCat("level ", level, " out of range for ",
                                             CompressionName(c), ": expected ", lo, "..", hi)));
  }
  return absl::OkStatus();
}

std::unique_ptr<ByteSink> NewDecoder(Compression c, ByteSink* out) {
  switch (c) {
    case Compression::kGzip:
    case Compression::kEstargz:
      return std::make_unique<CheckedDecoder>(c, Make<GzipDecoder>, out);
    case Compression::kZstd:
      return std::make_unique<CheckedDecoder>(c, Make<ZstdDecoder>, out);
    case Compression::kNone:
      break;
  }
  return std::make_unique<ForwardingSink>(out);
}

std::unique_ptr<ByteSink> NewGzipDecoder(ByteSink* out,
                                         std::function<void(uint64_t offset)> on_member) {
  return std::make_unique<CheckedDecoder>(
      Compression::kGzip,
      [&on_member](ByteSink* head) {
        return std::make_unique<GzipDecoder>(head, std::move(on_member));
      },
      out);
}

std::unique_ptr<ByteSink> NewEncoder(Compression c, int level, ByteSink* out, int threads) {
  switch (c) {
    case Compression::kGzip:
      // Level 0 is Go's stored-block layout, not libdeflate's level 0
      // (which cuts blocks elsewhere): see stored_gzip.h.
      if (level == 0) return std::make_unique<StoredGzipEncoder>(out);
      return std::make_unique<ParallelGzipEncoder>(out, level, threads);
    case Compression::kZstd:
      return std::make_unique<ZstdEncoder>(out, level, threads);
    case Compression::kEstargz:
      return std::make_unique<FailingSink>(
          "eStargz is written by src/estargz's encoder, which reads the tar");
    case Compression::kNone:
      break;
  }
  return std::make_unique<ForwardingSink>(out);
}

std::unique_ptr<GzipMemberEncoder> NewGzipMemberEncoder(int level, ByteSink* out, int threads) {
  if (level == 0) return std::make_unique<StoredMemberEncoder>(out);
  return std::make_unique<ParallelGzipEncoder>(out, level, threads);
}

int DefaultThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores > 8 ? 8 : cores);
}

}  // namespace imagewriter
