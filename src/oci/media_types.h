// OCI and Docker media types, and the mapping between the two flavours.
//
// A manifest is written in one flavour: "oci" (application/vnd.oci.*) or
// "docker" (Docker schema 2). zstd layers have no Docker media type, so a
// Docker-flavoured manifest cannot reference them.
#ifndef IMAGEWRITER_OCI_MEDIA_TYPES_H_
#define IMAGEWRITER_OCI_MEDIA_TYPES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/base/compression_kind.h"

namespace imagewriter {

inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kDockerManifest[] =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayer[] = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr char kDockerLayerGzip[] =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// OCI 1.1 artifacts and BuildKit's attestations
// (docs/attestations/attestation-storage.md): the empty config every
// artifact manifest points at (image-spec manifest.md, "Guidance for an
// Empty Descriptor"), an in-toto statement layer, and the artifactType of
// BuildKit's attestation manifests.
inline constexpr char kOciEmpty[] = "application/vnd.oci.empty.v1+json";
inline constexpr char kOciEmptyDigest[] =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
inline constexpr char kOciEmptyData[] = "e30=";  // base64 of "{}"
inline constexpr char kInTotoLayer[] = "application/vnd.in-toto+json";
inline constexpr char kAttestationManifestType[] =
    "application/vnd.docker.attestation.manifest.v1+json";

enum class MediaFlavor { kOci, kDocker };

absl::StatusOr<MediaFlavor> ParseMediaFlavor(absl::string_view name);
const char* ManifestMediaType(MediaFlavor f);
const char* IndexMediaType(MediaFlavor f);
const char* ConfigMediaType(MediaFlavor f);
// eStargz is gzip's media type; it has no Docker one (kEstargzNeedsOci).
absl::StatusOr<std::string> LayerMediaType(MediaFlavor f, Compression c);

// Why eStargz and Docker media types do not go together. BuildKit refuses
// compression=estargz with oci-mediatypes=false
// (exporter/containerimage/opts.go, Validate, from OnlySupportOCITypes).
inline constexpr char kEstargzNeedsOci[] =
    "eStargz layers need OCI media types, as in BuildKit (which refuses "
    "compression=estargz with oci-mediatypes=false): use media types \"oci\" "
    "or gzip compression";

// Whether a layer media type names a tar, plain or compressed: OCI's layer
// and non-distributable layer types and Docker's rootfs diff and foreign
// types (tar, tar+gzip, tar+zstd and Docker's .gzip/.zstd spellings).
// Other layers (an in-toto statement, an artifact's blob) are not tars.
bool IsTarLayerMediaType(absl::string_view media_type);

// The compression a layer media type of either flavour implies (gzip for
// an eStargz layer too: its media type says gzip).
absl::StatusOr<Compression> LayerCompression(absl::string_view media_type);

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_MEDIA_TYPES_H_
