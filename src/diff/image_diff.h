// DiffImages: why two images differ, as first causes (see report.h).
//
// Both images are walked side by side: index → manifests (matched by
// platform; a manifest that moved to another platform is one difference) →
// config → layers. An attestation manifest (BuildKit's, platform
// unknown/unknown) is matched by the manifest it attests instead: the
// other side's attestation of the image of the same platform; its scope
// reads "attestation of linux/amd64". Indexes and manifests are compared
// as JSON, every member, except the digests and sizes of what they point
// to (and an attestation entry's vnd.docker.reference.digest): those
// differ only because their targets do, and the targets are compared
// instead. A config is compared field by field as JSON paths, except
// rootfs.diff_ids of layers that are compared themselves. A tar layer that
// differs is explained by its tar's entries, or when the tars are the
// same, by its compression (layer_diff.h); any other layer (an in-toto
// statement) as JSON or by digest (artifact_diff.h). A difference only in
// mediaType members is reported as such, so that an OCI layout and a
// docker-archive of the same image read "same image, different media
// types".
//
// Errors (an input that cannot be read, is malformed, or passes a limit)
// are errors, never differences.
#ifndef IMAGEWRITER_DIFF_IMAGE_DIFF_H_
#define IMAGEWRITER_DIFF_IMAGE_DIFF_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/compress/decompression_guard.h"
#include "src/diff/report.h"

namespace imagewriter {

struct DiffOptions {
  std::string a, b;  // PATH, PATH:TAG or PATH@DIGEST (image_source.h).
  DecompressionLimits limits;
};

absl::StatusOr<DiffReport> DiffImages(const DiffOptions& options);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_IMAGE_DIFF_H_
