// BuildProvenance: a SLSA provenance v1 in-toto statement
// (https://slsa.dev/spec/v1.0/provenance) from what Bazel knows about an
// image: the target's label, the digests of what went into it (layers, the
// base manifest, the imagewriter binary), and the builder's id.
//
// It is deterministic on purpose, which is the step beyond BuildKit's
// provenance: no start or finish time, no invocation id, no host paths, no
// environment. The same inputs give the same statement, so attaching it
// keeps the image's index reproducible. The subject is left empty;
// attestation_writer.h fills it with the image manifest.
//
//   predicate.buildDefinition.buildType             kProvenanceBuildType
//   predicate.buildDefinition.externalParameters    {"target": label, ...parameters}
//   predicate.buildDefinition.resolvedDependencies  [{name, digest{alg: hex}, mediaType?}]
//   predicate.runDetails.builder.id                 builder_id
#ifndef IMAGEWRITER_WRITER_PROVENANCE_H_
#define IMAGEWRITER_WRITER_PROVENANCE_H_

#include <map>
#include <string>
#include <vector>

#include "src/digest/digest.h"

namespace imagewriter {

inline constexpr char kSlsaProvenanceV1[] = "https://slsa.dev/provenance/v1";
// A URI naming this template: an oci_image built by the imagewriter rules.
inline constexpr char kProvenanceBuildType[] = "urn:imagewriter:buildtype:bazel-oci-image:v1";

struct ProvenanceDependency {
  std::string name;        // e.g. "layer 0", "base", "imagewriter".
  Digest digest;
  std::string media_type;  // Optional.
};

struct ProvenanceSpec {
  std::string target;      // The Bazel label.
  std::string builder_id;  // A URI.
  std::map<std::string, std::string> parameters;  // More externalParameters.
  std::vector<ProvenanceDependency> dependencies;  // Kept in order.
};

// The statement's JSON (compact; subject []).
std::string BuildProvenance(const ProvenanceSpec& spec);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_PROVENANCE_H_
