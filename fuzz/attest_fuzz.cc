// Fuzzes in-toto statement checking (src/writer/attestation_writer.h) with
// arbitrary bytes as a statement. Invariants: a statement that passes comes
// out as JSON that passes again unchanged (oci_image_index re-attests an
// image's statement blobs and relies on it), and the attestation manifest
// built from it names the subject.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/json/parser.h"
#include "src/writer/attestation_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagewriter;  // NOLINT
  Descriptor subject;
  subject.media_type = "application/vnd.oci.image.manifest.v1+json";
  subject.digest = Digest::Sha256Of("image");
  subject.size = 5;
  const Statement statement{"fuzz", std::string(reinterpret_cast<const char*>(data), size)};
  absl::StatusOr<std::string> blob = NormalizeStatement(statement, subject);
  if (!blob.ok()) return 0;
  absl::StatusOr<std::string> again = NormalizeStatement({"again", *blob}, subject);
  if (!again.ok() || *again != *blob) abort();
  absl::StatusOr<AttestationOutput> out = BuildAttestation({subject, {statement}});
  if (!out.ok() || out->statements.size() != 1 || out->statements[0] != *blob) abort();
  if (out->manifest.find(subject.digest.ToString()) == std::string::npos) abort();
  return 0;
}
