// BuildIndex: an OCI image index or Docker manifest list over manifests,
// from their descriptors only.
//
// Every manifest must carry a platform, no two may share one, and their
// media types must fit the flavour (a Docker manifest list holds Docker
// manifests only), and a Docker manifest list carries no annotations, on
// itself or its entries (BuildKit refuses them with oci-mediatypes=false).
// Entries keep the given order. Attestation manifests
// (attestation_writer.h) follow every image manifest, as BuildKit lists
// them; each must name one of the index's manifests, and only an OCI index
// holds them. Output is indented like
// Go's json.MarshalIndent: schemaVersion, mediaType, manifests, annotations.
#ifndef IMAGEWRITER_WRITER_INDEX_WRITER_H_
#define IMAGEWRITER_WRITER_INDEX_WRITER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/oci/descriptor.h"
#include "src/oci/media_types.h"

namespace imagewriter {

struct IndexSpec {
  std::vector<Descriptor> manifests;
  std::vector<Descriptor> attestations;  // Index descriptors of attestation manifests.
  std::map<std::string, std::string> annotations;
  MediaFlavor flavor = MediaFlavor::kOci;
};

struct IndexOutput {
  std::string index;
  Descriptor descriptor;
};

absl::StatusOr<IndexOutput> BuildIndex(const IndexSpec& spec);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_INDEX_WRITER_H_
