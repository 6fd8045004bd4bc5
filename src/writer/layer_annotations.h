// Which layer-descriptor annotations reach a manifest: BuildKit's rules.
//
// BaseLayerAnnotations: what survives of a base layer's own annotations.
// BuildKit never copies a base manifest's layer descriptor: it rebuilds it
// from the content store, whose labels keep only a fixed set of annotation
// keys (cache/refs.go, filterAnnotationsForSave with additionalAnnotations:
// the eStargz TOC digest and uncompressed size, the overlaybd keys, and
// containerd.io/uncompressed). Every other key on a base layer is dropped,
// in either media-type flavour.
//
// ManifestLayerAnnotations: what a layer descriptor in a manifest carries
// (exporter/containerimage/writer.go, RemoveInternalLayerAnnotations, applied
// to every layer, base and new, in commitDistributionManifest):
// - Docker media types: none at all;
// - OCI media types: all but BuildKit's internal keys
//   (containerd.io/uncompressed, buildkit/createdat, and any key starting
//   containerd.io/distribution.source.).
#ifndef IMAGEWRITER_WRITER_LAYER_ANNOTATIONS_H_
#define IMAGEWRITER_WRITER_LAYER_ANNOTATIONS_H_

#include <map>
#include <string>

#include "src/oci/media_types.h"

namespace imagewriter {

std::map<std::string, std::string> BaseLayerAnnotations(
    const std::map<std::string, std::string>& annotations);

std::map<std::string, std::string> ManifestLayerAnnotations(
    const std::map<std::string, std::string>& annotations, MediaFlavor flavor);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_LAYER_ANNOTATIONS_H_
