// The two images `imagewriter diff` compares, as it reads them: an OCI
// layout directory, an oci-archive or a docker-archive, through layout's
// BlobSource, and the manifests and indexes in them.
//
// An argument is a path, optionally followed by ":TAG" (an index.json entry
// whose org.opencontainers.image.ref.name is TAG, or whose
// io.containerd.image.name ends in ":TAG") or "@DIGEST" (an index.json
// entry, or any manifest or index blob of the layout, with that digest). A
// path that exists is taken whole, colons and all. Without either, index.json
// must list one image (however many times). A docker-archive without
// index.json (`docker save` before Docker 25) is read from manifest.json,
// its first image (or the one whose RepoTags has ":TAG"), as a Docker
// manifest: that is how `docker load` sees it. Its config's and layers'
// digests are hashed from their bytes (each layer is read once for it), as
// nothing signs its file names; a name of the form
// "blobs/<algorithm>/<encoded>" claims a digest, and must match.
//
// Every manifest and index is read whole with a size limit and checked
// against its digest (sha256 or sha512, blob_check.h); errors name the file.
#ifndef IMAGEWRITER_DIFF_IMAGE_SOURCE_H_
#define IMAGEWRITER_DIFF_IMAGE_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/json/value.h"
#include "src/layout/blob_source.h"
#include "src/layout/image_reader.h"
#include "src/oci/descriptor.h"

namespace imagewriter {

// A manifest or an index, parsed.
struct ImageNode {
  bool is_index = false;
  std::string where;                 // The file, for messages.
  json::Value document;              // The manifest's or index's JSON.
  std::vector<Descriptor> children;  // An index's manifests.
  ImageManifest manifest;            // A manifest's config and layers.
  std::string config_name;           // File names in the source.
  std::vector<std::string> layer_names;
  // For an attestation manifest, the manifest it attests: its subject, or
  // else its index entry's vnd.docker.reference.digest (BuildKit's older
  // form has no subject).
  std::optional<Digest> attests;
};

struct DiffSide {
  std::string label;  // The argument as given.
  std::unique_ptr<BlobSource> source;
  ImageNode root;
};

absl::StatusOr<DiffSide> OpenDiffSide(const std::string& argument);

// What an attestation entry of an index attests: its
// vnd.docker.reference.digest, when `d` is one and that parses.
std::optional<Digest> ReferencedDigest(const Descriptor& d);

// The manifest or index `d` points to in `source`.
absl::StatusOr<ImageNode> LoadNode(const BlobSource& source, const Descriptor& d);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_IMAGE_SOURCE_H_
