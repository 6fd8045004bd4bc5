// The ImageRequest of `imagewriter image` (schema: src/proto/request.proto):
// reading it, every file it names, and building the image it asks for.
//
// What a request's fields become:
// - the base (base_config, base_manifest, base_descriptor): base_image.h;
// - layers: each a descriptor file and a diffID file, both required; layer
//   and history `created` times are RFC 3339;
// - source_date_epoch, else the SOURCE_DATE_EPOCH variable the caller
//   passes; errors say which of the two was wrong; clamp_base_history
//   without either is an error;
// - created wins over every time rule (src/writer/config_patch.h);
// - created, after stamping: RFC 3339, or decimal seconds (Bazel's
//   {BUILD_TIMESTAMP}). Unstamped, a created that still holds a {KEY}
//   placeholder counts as unset, so that unstamped builds never depend on
//   the time of the build;
// - env, then env_files (KEY=VALUE files, in order, a repeated key kept);
//   labels with label_files, annotations with annotation_files: a key given
//   twice across a map and its files is an error (key_value_files.h);
//   an annotation key must not be empty;
// - stamping (stamper.h) applies to created, to whole env entries, and to
//   the values of env files, labels and annotations.
// Errors name the request file, or the file they are about.
#ifndef IMAGEWRITER_REQUEST_IMAGE_REQUEST_H_
#define IMAGEWRITER_REQUEST_IMAGE_REQUEST_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "src/writer/image_writer.h"

namespace imagewriter {

// `source_date_epoch_env` is the SOURCE_DATE_EPOCH variable, if set; the
// request's own source_date_epoch takes precedence.
absl::StatusOr<ImageSpec> ReadImageRequest(const std::string& path,
                                           const std::optional<std::string>& source_date_epoch_env);

// Reads the request and builds its image (src/writer/image_writer.h).
// The writer's errors are prefixed with the request's path.
absl::StatusOr<ImageOutput> BuildImageFromRequest(
    const std::string& path, const std::optional<std::string>& source_date_epoch_env);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_IMAGE_REQUEST_H_
