// DigestSink: a ByteSink that hashes what passes through it with a named
// algorithm, so that a blob can be checked against whichever digest its
// descriptor carries: sha256 or sha512, the two Digest::Parse accepts.
//
// Any other algorithm name (only an unparsed, default Digest has one) is
// hashed as sha256: the result then never equals a digest that names it,
// so a check against it fails instead of passing. digest() is valid after
// Finish().
#ifndef IMAGEWRITER_DIGEST_DIGEST_SINK_H_
#define IMAGEWRITER_DIGEST_DIGEST_SINK_H_

#include <openssl/sha.h>

#include <optional>
#include <string>

#include "src/digest/digest.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class DigestSink : public ByteSink {
 public:
  explicit DigestSink(absl::string_view algorithm);
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  const Digest& digest() const { return *digest_; }

  // The digest of `data` with `algorithm`, in one call.
  static Digest Of(absl::string_view algorithm, absl::string_view data);

 private:
  bool sha512_;
  SHA256_CTX sha256_;
  SHA512_CTX sha512_context_;
  std::optional<Digest> digest_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIGEST_DIGEST_SINK_H_
