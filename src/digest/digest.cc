#include "src/digest/digest.h"

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace imagewriter {
namespace {

// The OCI image-spec digest grammar (descriptor.md).
const RE2& DigestGrammar() {
  static const RE2* const kGrammar = new RE2(
      "([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)");
  return *kGrammar;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

absl::StatusOr<Digest> Digest::Parse(absl::string_view text) {
  std::string algorithm, encoded;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), DigestGrammar(), &algorithm, &encoded)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid digest \"", text, "\": expected algorithm:encoded"));
  }
  size_t want;
  if (algorithm == "sha256") {
    want = 64;
  } else if (algorithm == "sha512") {
    want = 128;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid digest \"", text, "\": unsupported algorithm \"",
                     algorithm, "\", expected sha256 or sha512"));
  }
  if (encoded.size() != want || !RE2::FullMatch(encoded, "[0-9a-f]+")) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid digest \"", text, "\": ", algorithm,
                     " needs exactly ", want, " lowercase hex digits"));
  }
  return Digest(std::move(algorithm), std::move(encoded));
}

Digest Digest::Sha256Of(absl::string_view data) {
  unsigned char bytes[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), bytes);
  return FromSha256Bytes(bytes);
}

Digest Digest::FromSha256Bytes(const unsigned char bytes[32]) {
  return Digest("sha256", Hex(bytes, 32));
}

}  // namespace imagewriter
