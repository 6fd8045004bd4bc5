// The AttestRequest of `imagewriter attest` (schema: src/proto/request.proto):
// reading the subject's descriptor file and the statement files it names
// (each at most kMaxStatementBytes, as BuildKit limits them), making the
// built-in provenance statement when asked (its dependencies' digests read
// from descriptor files, or hashed from files), and building the
// attestation manifest (src/writer/attestation_writer.h).
//
// Errors name the request file, or the file they are about.
#ifndef IMAGEWRITER_REQUEST_ATTEST_REQUEST_H_
#define IMAGEWRITER_REQUEST_ATTEST_REQUEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/writer/attestation_writer.h"

namespace imagewriter {

absl::StatusOr<AttestationSpec> ReadAttestRequest(const std::string& path);

absl::StatusOr<AttestationOutput> BuildAttestationFromRequest(const std::string& path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_ATTEST_REQUEST_H_
