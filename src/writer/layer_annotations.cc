#include "src/writer/layer_annotations.h"

#include "absl/strings/match.h"

namespace imagewriter {
namespace {

// BuildKit's additionalAnnotations (cache/refs.go): estargz's
// TOCJSONDigestAnnotation and StoreUncompressedSizeAnnotation,
// accelerated-container-image's OverlayBDAnnotations, and
// containerd's LabelUncompressed.
const char* const kKeptBaseKeys[] = {
    "containerd.io/snapshot/stargz/toc.digest",
    "io.containers.estargz.uncompressed-size",
    "containerd.io/snapshot/overlaybd.localcommitpath",
    "containerd.io/snapshot/overlaybd/blob-digest",
    "containerd.io/snapshot/overlaybd/blob-size",
    "containerd.io/snapshot/overlaybd/blob-fs-type",
    "containerd.io/uncompressed",
};

bool IsInternal(const std::string& key) {
  return key == "containerd.io/uncompressed" || key == "buildkit/createdat" ||
         absl::StartsWith(key, "containerd.io/distribution.source.");
}

}  // namespace

std::map<std::string, std::string> BaseLayerAnnotations(
    const std::map<std::string, std::string>& annotations) {
  std::map<std::string, std::string> out;
  for (const char* key : kKeptBaseKeys) {
    auto it = annotations.find(key);
    if (it != annotations.end()) out.insert(*it);
  }
  return out;
}

std::map<std::string, std::string> ManifestLayerAnnotations(
    const std::map<std::string, std::string>& annotations, MediaFlavor flavor) {
  std::map<std::string, std::string> out;
  if (flavor == MediaFlavor::kDocker) return out;
  for (const auto& [key, value] : annotations) {
    if (!IsInternal(key)) out.emplace(key, value);
  }
  return out;
}

}  // namespace imagewriter
