// ReadBaseImage: the base image of an ImageRequest, read from its files and
// checked here, the one place a base is checked, so that the writer can
// build on it as it is (src/writer/image_writer.h, BaseImage).
//
// The files: the base config (none: no base), the base manifest (needs a
// config) and the base manifest's descriptor; either of the last two may
// be absent. The checks:
// - the config is a JSON object, with a valid history, and its `created`,
//   if set, is an RFC 3339 time;
// - when the config names an os and an architecture, they (and its variant)
//   form a valid platform, and a platform asked of the image must be that
//   one: `FROM --platform` on a single-platform base of another platform
//   fails in Docker too, and otherwise the image would carry the base's
//   binaries under another platform's name;
// - the manifest is an image manifest, as the layout reader parses one
//   (src/layout/image_reader.h, ParseManifest), and its config digest is
//   that of the config file's bytes;
// - the config's rootfs.diff_ids pair one to one with the manifest's layers
//   (so a config without a manifest lists none).
// Errors about one file name the file; errors about how the files fit the
// request or each other start with `request_path`.
#ifndef IMAGEWRITER_REQUEST_BASE_IMAGE_H_
#define IMAGEWRITER_REQUEST_BASE_IMAGE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "src/oci/platform.h"
#include "src/writer/image_writer.h"

namespace imagewriter {

struct BaseImageFiles {
  std::string config;      // Empty: no base.
  std::string manifest;    // Empty: no base layers.
  std::string descriptor;  // Empty: no base.* annotations.
};

// `platform` is the one the request asks for, if any.
absl::StatusOr<std::optional<BaseImage>> ReadBaseImage(const BaseImageFiles& files,
                                                       const std::optional<Platform>& platform,
                                                       const std::string& request_path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_BASE_IMAGE_H_
