// Sha256Sink: a ByteSink that hashes and counts what passes through it.
//
// BoringSSL's SHA-256 uses the CPU's SHA extensions where present; the digest
// is the same on every CPU. digest() is valid after Finish().
#ifndef IMAGEWRITER_DIGEST_SHA256_SINK_H_
#define IMAGEWRITER_DIGEST_SHA256_SINK_H_

#include <openssl/sha.h>

#include <cstdint>
#include <optional>

#include "src/digest/digest.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class Sha256Sink : public ByteSink {
 public:
  Sha256Sink() { SHA256_Init(&context_); }
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  const Digest& digest() const { return *digest_; }
  uint64_t size() const { return size_; }

 private:
  SHA256_CTX context_;
  uint64_t size_ = 0;
  std::optional<Digest> digest_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIGEST_SHA256_SINK_H_
