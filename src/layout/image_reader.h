// Reading images back out of a BlobSource: the layout's root descriptors,
// and the one image manifest a descriptor resolves to for a platform.
#ifndef IMAGEWRITER_LAYOUT_IMAGE_READER_H_
#define IMAGEWRITER_LAYOUT_IMAGE_READER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/json/value.h"
#include "src/layout/blob_source.h"
#include "src/oci/descriptor.h"
#include "src/oci/platform.h"

namespace imagewriter {

// Indexes nest at most this deep; deeper (or cyclic) graphs are rejected.
inline constexpr int kMaxIndexDepth = 8;

struct ImageManifest {
  Descriptor descriptor;  // Of the manifest itself.
  std::string bytes;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;  // OCI 1.1: the manifest this one refers to.
  std::string artifact_type;
};

bool IsManifestMediaType(absl::string_view media_type);
bool IsIndexMediaType(absl::string_view media_type);

// The oci-layout file must exist and say imageLayoutVersion "1.0.0", the
// only version of the layout format (image-spec image-layout.md).
absl::Status CheckLayoutFile(const BlobSource& source);

// The manifests listed in index.json.
absl::StatusOr<std::vector<Descriptor>> ReadLayoutIndex(const BlobSource& source);

// Parses manifest bytes (`where` names them in errors). Manifests and
// indexes must have schemaVersion 2; a manifest's mediaType, when it has
// one, must be an image manifest's (OCI or Docker).
absl::StatusOr<ImageManifest> ParseManifest(const std::string& bytes, const Descriptor& descriptor,
                                            const std::string& where);
// Parses index bytes into its manifest descriptors.
absl::StatusOr<std::vector<Descriptor>> ParseIndex(const std::string& bytes,
                                                   const std::string& where);

// Follows `root` (a manifest or an index) to one image manifest. An index
// needs `platform` unless it has exactly one entry. Platforms match on os and
// architecture, and on variant when one is asked for, with the usual
// defaults (arm64 means v8, arm means v7). A `platform` asked of a root that
// is a single manifest must match its config's os/architecture/variant, or
// the image is refused (as `docker pull --platform` refuses it).
absl::StatusOr<ImageManifest> ResolveImage(const BlobSource& source, const Descriptor& root,
                                           const std::optional<Platform>& platform);

// Adds every blob reachable from `root` (itself, child manifests, configs,
// layers), keyed by blob path ("blobs/sha256/<hex>"). Reads only indexes and
// manifests.
absl::Status ReachableBlobs(const BlobSource& source, const Descriptor& root,
                            std::map<std::string, Descriptor>* out);

// Whether `have` satisfies `want` (see ResolveImage).
bool PlatformMatches(const Platform& want, const Platform& have);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_IMAGE_READER_H_
