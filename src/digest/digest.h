// Digest: a content address in the OCI grammar, `algorithm:encoded`.
//
// Parse() accepts the OCI image-spec grammar and, for the registered
// algorithms, their exact encoding: sha256 is 64 lowercase hex digits and
// sha512 is 128. Unregistered algorithms and uppercase hex are rejected,
// since an image that names them cannot be verified by any client.
#ifndef IMAGEWRITER_DIGEST_DIGEST_H_
#define IMAGEWRITER_DIGEST_DIGEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

class Digest {
 public:
  Digest() = default;  // Empty; only valid as a placeholder before Parse.
  static absl::StatusOr<Digest> Parse(absl::string_view text);
  // sha256 of the given bytes.
  static Digest Sha256Of(absl::string_view data);
  // From a raw 32-byte SHA-256 value.
  static Digest FromSha256Bytes(const unsigned char bytes[32]);

  const std::string& algorithm() const { return algorithm_; }
  const std::string& encoded() const { return encoded_; }
  std::string ToString() const { return algorithm_ + ":" + encoded_; }

  bool operator==(const Digest& o) const {
    return algorithm_ == o.algorithm_ && encoded_ == o.encoded_;
  }
  bool operator!=(const Digest& o) const { return !(*this == o); }
  bool operator<(const Digest& o) const { return ToString() < o.ToString(); }

 private:
  Digest(std::string algorithm, std::string encoded)
      : algorithm_(std::move(algorithm)), encoded_(std::move(encoded)) {}
  std::string algorithm_;
  std::string encoded_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIGEST_DIGEST_H_
