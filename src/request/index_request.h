// The IndexRequest of `imagewriter index` (schema: src/proto/request.proto):
// reading it, the manifest descriptor files it names, and building the
// index it asks for.
//
// annotations and annotation_files (KEY=VALUE files) are merged; a key given
// twice is an error (key_value_files.h). Index annotations are not stamped.
// Errors name the request file, or the file they are about.
#ifndef IMAGEWRITER_REQUEST_INDEX_REQUEST_H_
#define IMAGEWRITER_REQUEST_INDEX_REQUEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/writer/index_writer.h"

namespace imagewriter {

absl::StatusOr<IndexSpec> ReadIndexRequest(const std::string& path);

// Reads the request and builds its index (src/writer/index_writer.h).
// The writer's errors are prefixed with the request's path.
absl::StatusOr<IndexOutput> BuildIndexFromRequest(const std::string& path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_INDEX_REQUEST_H_
