#include "src/compress/decompression_guard.h"

#include "absl/strings/str_cat.h"
#include "src/base/status.h"

namespace imagewriter {
namespace {

// Begins every refusal's message.
constexpr char kRefusal[] = "decompression guard: ";

}  // namespace

absl::Status DecompressionGuard::Append(absl::string_view data) {
  total_ += data.size();
  if (limits_.max_bytes != 0 && total_ > limits_.max_bytes) {
    return WithOption(kOptionMaxBytes, absl::ResourceExhaustedError(absl::StrCat(
                                           kRefusal, "the uncompressed tar exceeds ",
                                           limits_.max_bytes, " bytes")));
  }
  const uint64_t compressed = compressed_->count();
  if (limits_.max_ratio != 0 && total_ > (64u << 20) && compressed > 0 &&
      total_ / compressed > limits_.max_ratio) {
    return WithOption(kOptionMaxRatio,
                      absl::ResourceExhaustedError(absl::StrCat(
                          kRefusal, total_, " bytes from ", compressed,
                          " compressed bytes is a ratio over ", limits_.max_ratio)));
  }
  return next_->Append(data);
}

}  // namespace imagewriter
