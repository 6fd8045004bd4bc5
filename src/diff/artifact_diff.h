// Comparing two layers that are not tars, for `imagewriter diff`: the
// in-toto statements of an attestation manifest, or any OCI artifact's
// blob (a layer whose media type is not a tar layer type, media_types.h).
//
// Both blobs are read whole, up to kMaxArtifactBytes, and checked against
// their digests. When both parse as JSON they are compared member by member
// as JSON paths (json_diff.h), `layers[0] .predicate.name`; otherwise (not
// JSON, or too large to hold) by digest. Never as tars: a statement is not
// one, and reading it as one would only fail.
//
// A statement's subject names the manifest it attests. When A's names the
// manifest A's attestation attests and B's names B's, that digest differs
// only because those manifests do, which the diff compares itself: it is
// not reported (no more than a descriptor's digest is).
#ifndef IMAGEWRITER_DIFF_ARTIFACT_DIFF_H_
#define IMAGEWRITER_DIFF_ARTIFACT_DIFF_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "src/diff/report.h"
#include "src/digest/digest.h"
#include "src/layout/blob_source.h"
#include "src/oci/descriptor.h"

namespace imagewriter {

inline constexpr uint64_t kMaxArtifactBytes = 16 << 20;

struct ArtifactLayer {
  const BlobSource* source;
  std::string name;                // The blob's file in the source.
  Descriptor descriptor;           // Its manifest's descriptor of it.
  std::optional<Digest> attests;   // The manifest its attestation manifest attests.
};

// Differences get `base`'s scope and the subject prefix `base.subject`
// ("layers[1]").
absl::Status CompareArtifactLayers(const ArtifactLayer& a, const ArtifactLayer& b, const Difference& base,
                                   DiffReport* report);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_ARTIFACT_DIFF_H_
