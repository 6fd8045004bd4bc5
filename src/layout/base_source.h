// ReadBaseSource: the one image a base layout or archive holds, in the form
// `imagewriter base` hands it on to image requests: the config's and the
// manifest's bytes, and the manifest's descriptor with the names the
// layout records for it.
//
// A base is one image. index.json may list it several times (once per
// tag), but never two different images, and must list it at least once. An
// index root is resolved to `platform` as ResolveImage does
// (image_reader.h). The config must hash to the manifest's config digest.
// The descriptor keeps only the name annotations (kAnnotationContainerdName
// and kAnnotationRefName, from oci/annotations.h) of the first listing.
// Errors name the source and the file in it.
#ifndef IMAGEWRITER_LAYOUT_BASE_SOURCE_H_
#define IMAGEWRITER_LAYOUT_BASE_SOURCE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "src/layout/blob_source.h"
#include "src/oci/descriptor.h"
#include "src/oci/platform.h"

namespace imagewriter {

struct BaseSource {
  std::string config;
  std::string manifest;
  Descriptor descriptor;  // Of the manifest.
};

absl::StatusOr<BaseSource> ReadBaseSource(const BlobSource& source,
                                          const std::optional<Platform>& platform);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_BASE_SOURCE_H_
