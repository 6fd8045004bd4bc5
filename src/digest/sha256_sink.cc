#include "src/digest/sha256_sink.h"

namespace imagewriter {

absl::Status Sha256Sink::Append(absl::string_view data) {
  SHA256_Update(&context_, data.data(), data.size());
  size_ += data.size();
  return absl::OkStatus();
}

absl::Status Sha256Sink::Finish() {
  if (digest_) return absl::OkStatus();  // Reached through several tees.
  unsigned char bytes[SHA256_DIGEST_LENGTH];
  SHA256_Final(bytes, &context_);
  digest_ = Digest::FromSha256Bytes(bytes);
  return absl::OkStatus();
}

}  // namespace imagewriter
