#include "src/digest/digest_sink.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {

DigestSink::DigestSink(absl::string_view algorithm) : sha512_(algorithm == "sha512") {
  SHA256_Init(&sha256_);
  SHA512_Init(&sha512_context_);
}

absl::Status DigestSink::Append(absl::string_view data) {
  if (sha512_) {
    SHA512_Update(&sha512_context_, data.data(), data.size());
  } else {
    SHA256_Update(&sha256_, data.data(), data.size());
  }
  return absl::OkStatus();
}

absl::Status DigestSink::Finish() {
  if (digest_) return absl::OkStatus();  // Reached through several tees.
  if (!sha512_) {
    unsigned char bytes[SHA256_DIGEST_LENGTH];
    SHA256_Final(bytes, &sha256_);
    digest_ = Digest::FromSha256Bytes(bytes);
    return absl::OkStatus();
  }
  unsigned char bytes[SHA512_DIGEST_LENGTH];
  SHA512_Final(bytes, &sha512_context_);
  // 128 lowercase hex digits: always in the grammar Parse accepts.
  absl::StatusOr<Digest> d = Digest::Parse(
      absl::StrCat("sha512:", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes),
                                                                       sizeof(bytes)))));
  if (!d.ok()) return d.status();
  digest_ = *std::move(d);
  return absl::OkStatus();
}

Digest DigestSink::Of(absl::string_view algorithm, absl::string_view data) {
  DigestSink sink(algorithm);
  sink.Append(data).IgnoreError();  // Hashing cannot fail.
  sink.Finish().IgnoreError();
  return sink.digest();
}

}  // namespace imagewriter
