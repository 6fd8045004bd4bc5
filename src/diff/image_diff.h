// DiffImages: why two images differ, as first causes (see report.h).
//
// Both images are walked side by side: index → manifests (matched by
// platform; a manifest that moved to another platform is one difference) →
// config → layers. Indexes and manifests are compared as JSON, every
// member, except the digests and sizes of what they point to: those differ
// only because their targets do, and the targets are compared instead. A
// config is compared field by field as JSON paths, except rootfs.diff_ids
// of layers that are compared themselves. A layer that differs is explained
// by its tar's entries, or when the tars are the same, by its compression
// (layer_diff.h). A difference only in mediaType members is reported as
// such, so that an OCI layout and a docker-archive of the same image read
// "same image, different media types".
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
