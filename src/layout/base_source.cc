#include "src/layout/base_source.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "src/digest/digest.h"
#include "src/digest/digest_sink.h"
#include "src/layout/image_reader.h"
#include "src/oci/annotations.h"

namespace imagewriter {
namespace {

// The root index.json lists, which must be one image however often listed.
absl::StatusOr<Descriptor> SoleRoot(const BlobSource& source) {
  absl::StatusOr<std::vector<Descriptor>> roots = ReadLayoutIndex(source);
  if (!roots.ok()) return roots.status();
  if (roots->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source.Describe("index.json"), ": lists no image"));
  }
  for (const Descriptor& other : *roots) {
    if (other.digest != (*roots)[0].digest) {
      return absl::InvalidArgumentError(
          absl::StrCat(source.Describe("index.json"), ": lists several images; a base must be one"));
    }
  }
  return (*roots)[0];
}

}  // namespace

absl::StatusOr<BaseSource> ReadBaseSource(const BlobSource& source,
                                          const std::optional<Platform>& platform) {
  absl::StatusOr<Descriptor> root = SoleRoot(source);
  if (!root.ok()) return root.status();
  absl::StatusOr<ImageManifest> image = ResolveImage(source, *root, platform);
  if (!image.ok()) return image.status();
  const std::string config_name =
      BlobPath(image->config.digest.algorithm(), image->config.digest.encoded());
  absl::StatusOr<std::string> config = source.ReadSmall(config_name);
  if (!config.ok()) return config.status();
  if (DigestSink::Of(image->config.digest.algorithm(), *config) != image->config.digest) {
    return absl::DataLossError(absl::StrCat(source.Describe(config_name),
                                            ": content does not match the manifest's config digest"));
  }
  BaseSource base;
  base.config = *std::move(config);
  base.manifest = std::move(image->bytes);
  // The name the base was published under, if the layout records one.
  base.descriptor = image->descriptor;
  base.descriptor.annotations.clear();
  for (const char* key : {kAnnotationContainerdName, kAnnotationRefName}) {
    auto it = root->annotations.find(key);
    if (it != root->annotations.end()) base.descriptor.annotations[key] = it->second;
  }
  return base;
}

}  // namespace imagewriter
