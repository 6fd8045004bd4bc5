#include "src/compress/decompression_guard.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

// Begins every refusal's message; IsDecompressionLimit looks for it.
constexpr char kRefusal[] = "decompression guard: ";

}  // namespace

bool IsDecompressionLimit(const absl::Status& status) {
  return absl::IsResourceExhausted(status) && absl::StrContains(status.message(), kRefusal);
}

absl::Status DecompressionGuard::Append(absl::string_view data) {
  total_ += data.size();
  if (limits_.max_bytes != 0 && total_ > limits_.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        kRefusal, "the uncompressed tar exceeds ", limits_.max_bytes, " bytes"));
  }
  const uint64_t compressed = compressed_->count();
  if (limits_.max_ratio != 0 && total_ > (64u << 20) && compressed > 0 &&
      total_ / compressed > limits_.max_ratio) {
    return absl::ResourceExhaustedError(absl::StrCat(kRefusal, total_, " bytes from ",
                                                     compressed, " compressed bytes is a ratio over ",
                                                     limits_.max_ratio));
  }
  return next_->Append(data);
}

}  // namespace imagewriter
