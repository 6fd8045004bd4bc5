#include "src/oci/media_types.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace imagewriter {

absl::StatusOr<MediaFlavor> ParseMediaFlavor(absl::string_view name) {
  if (name == "oci" || name.empty()) return MediaFlavor::kOci;
  if (name == "docker") return MediaFlavor::kDocker;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown media types \"", name, "\": expected oci or docker"));
}

const char* ManifestMediaType(MediaFlavor f) {
  return f == MediaFlavor::kOci ? kOciManifest : kDockerManifest;
}

const char* IndexMediaType(MediaFlavor f) {
  return f == MediaFlavor::kOci ? kOciIndex : kDockerManifestList;
}

const char* ConfigMediaType(MediaFlavor f) {
  return f == MediaFlavor::kOci ? kOciConfig : kDockerConfig;
}

absl::StatusOr<std::string> LayerMediaType(MediaFlavor f, Compression c) {
  if (f == MediaFlavor::kOci) {
    switch (c) {
      case Compression::kNone:
        return std::string(kOciLayer);
      case Compression::kGzip:
      case Compression::kEstargz:
        return std::string(kOciLayerGzip);
      case Compression::kZstd:
        return std::string(kOciLayerZstd);
    }
  }
  switch (c) {
    case Compression::kNone:
      return std::string(kDockerLayer);
    case Compression::kGzip:
      return std::string(kDockerLayerGzip);
    case Compression::kZstd:
      break;
    case Compression::kEstargz:
      return absl::InvalidArgumentError(kEstargzNeedsOci);
  }
  return absl::InvalidArgumentError(
      "zstd layers have no Docker media type: use media types \"oci\" or "
      "gzip compression");
}

bool IsTarLayerMediaType(absl::string_view media_type) {
  if (!absl::StartsWith(media_type, "application/vnd.oci.image.layer.") &&
      !absl::StartsWith(media_type, "application/vnd.docker.image.rootfs.")) {
    return false;
  }
  for (absl::string_view codec : {"+gzip", "+zstd", ".gzip", ".zstd"}) {
    if (absl::ConsumeSuffix(&media_type, codec)) break;
  }
  return absl::EndsWith(media_type, ".tar");
}

absl::StatusOr<Compression> LayerCompression(absl::string_view media_type) {
  if (media_type == kOciLayer || media_type == kDockerLayer) return Compression::kNone;
  if (media_type == kOciLayerGzip || media_type == kDockerLayerGzip) {
    return Compression::kGzip;
  }
  if (media_type == kOciLayerZstd) return Compression::kZstd;
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported layer media type \"", media_type, "\""));
}

}  // namespace imagewriter
