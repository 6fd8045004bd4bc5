#include "src/compress/compression.h"

#include "absl/strings/str_cat.h"
#include <thread>

#include "src/compress/gzip.h"
#include "src/compress/parallel_gzip.h"
#include "src/compress/zstd.h"

namespace imagewriter {
namespace {

// Passes bytes through; the kNone codec.
class ForwardingSink : public ByteSink {
 public:
  explicit ForwardingSink(ByteSink* out) : out_(out) {}
  absl::Status Append(absl::string_view data) override {
    return out_->Append(data);
  }

 private:
  ByteSink* out_;
};

}  // namespace

absl::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::StatusOr<Compression> ParseCompression(absl::string_view name) {
  if (name == "none" || name == "uncompressed") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown compression \"", name, "\": expected gzip, zstd or none"));
}

Compression DetectCompression(absl::string_view prefix) {
  if (prefix.size() >= 2 && static_cast<unsigned char>(prefix[0]) == 0x1f &&
      static_cast<unsigned char>(prefix[1]) == 0x8b) {
    return Compression::kGzip;
  }
  if (prefix.size() >= 4 && prefix.substr(0, 4) == "\x28\xb5\x2f\xfd") {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

int DefaultLevel(Compression c) {
  switch (c) {
    case Compression::kGzip:
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
  if (c == Compression::kGzip) lo = 1, hi = 12;
  if (c == Compression::kZstd) lo = 1, hi = 19;
  if (c == Compression::kNone && level == 0) return absl::OkStatus();
  if (level < lo || level > hi) {
    return absl::InvalidArgumentError(
        c == Compression::kNone
            ? absl::StrCat("--level ", level, " given with compression none")
            : absl::StrCat("--level ", level, " out of range for ",
                           CompressionName(c), ": expected ", lo, "..", hi));
  }
  return absl::OkStatus();
}

std::unique_ptr<ByteSink> NewDecoder(Compression c, ByteSink* out) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>(out);
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>(out);
    case Compression::kNone:
      break;
  }
  return std::make_unique<ForwardingSink>(out);
}

std::unique_ptr<ByteSink> NewEncoder(Compression c, int level, ByteSink* out, int threads) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<ParallelGzipEncoder>(out, level, threads);
    case Compression::kZstd:
      return std::make_unique<ZstdEncoder>(out, level, threads);
    case Compression::kNone:
      break;
  }
  return std::make_unique<ForwardingSink>(out);
}

int DefaultThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores > 8 ? 8 : cores);
}

}  // namespace imagewriter
