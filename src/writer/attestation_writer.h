// Attestations in BuildKit's in-index form, which is also OCI 1.1's
// referrers form (BuildKit docs/attestations/attestation-storage.md,
// exporter/containerimage/attestations.go and writer.go):
//
//   - every in-toto statement becomes one blob, compact JSON in the field
//     order `_type, predicateType, subject, predicate`, and one layer of an
//     attestation manifest (media type application/vnd.in-toto+json,
//     annotation in-toto.io/predicate-type);
//   - the attestation manifest is an OCI artifact manifest: artifactType
//     application/vnd.docker.attestation.manifest.v1+json, the empty config
//     (with its `data`), and `subject` = the image manifest;
//   - its descriptor for the image index has platform unknown/unknown and
//     the annotations vnd.docker.reference.type=attestation-manifest and
//     vnd.docker.reference.digest=<image manifest digest>.
//
// A statement must name its `_type` (in-toto Statement v1 or v0.1), a
// `predicateType`, and subjects only of the image manifest: a statement
// with no subject gets one, {"name": "_", "digest": {"sha256": <manifest>}}
// (a rule that makes a statement cannot know the manifest's digest);
// a statement whose subject names another sha256 is refused. Members other
// than the four are refused too, rather than dropped as BuildKit's struct
// round trip drops them. Errors start with the statement's name.
#ifndef IMAGEWRITER_WRITER_ATTESTATION_WRITER_H_
#define IMAGEWRITER_WRITER_ATTESTATION_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/oci/descriptor.h"

namespace imagewriter {

// BuildKit reads at most 40 MiB of an attestation (attestations.go).
inline constexpr uint64_t kMaxStatementBytes = 40 << 20;

struct Statement {
  std::string name;  // For errors: usually the file it came from.
  std::string json;
};

struct AttestationSpec {
  Descriptor subject;  // The image manifest.
  std::vector<Statement> statements;  // At least one.
};

// The OCI 1.1 referrers-tag fallback (distribution-spec v1.1, "Referrers
// Tag Schema"), for registries without the referrers API: the tag
// `<alg>-<encoded>` (alg cut to 32, encoded to 64 characters) holds an
// index of the subject's referrers, each with its artifactType.
std::string ReferrersTag(const Digest& subject);
// The referrers index for one attestation manifest.
struct ReferrersIndex {
  std::string tag;
  std::string index;
  Descriptor descriptor;
};
ReferrersIndex BuildReferrersIndex(const Digest& subject, const Descriptor& attestation_manifest);

struct AttestationOutput {
  std::vector<std::string> statements;  // The blobs, in the given order.
  std::string empty_config;             // "{}", the config blob.
  std::string manifest;
  // For the image index: unknown/unknown and the reference annotations.
  Descriptor index_descriptor;
  // For registries without the referrers API.
  ReferrersIndex referrers;
};

absl::StatusOr<AttestationOutput> BuildAttestation(const AttestationSpec& spec);

// The statement blob for `statement`, checked and with its subject filled
// for `subject` (see above).
absl::StatusOr<std::string> NormalizeStatement(const Statement& statement, const Descriptor& subject);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_ATTESTATION_WRITER_H_
