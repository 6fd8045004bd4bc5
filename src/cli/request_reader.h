// Reads the JSON request files of `imagewriter image` and `imagewriter index`
// (schema: src/proto/request.proto) and every file they refer to, producing
// the writer's specs.
//
// The request is first parsed by the strict JSON parser (UTF-8, duplicate
// keys) and its tree held to the schema: the top level and every message an
// object, every member a known field given once, every value of its field's
// type (no "yes" for a bool, no lone string for a list, no quoted number),
// no NUL in any string. Only then does protobuf's JSON parser, which is
// lenient about all of these, convert it. Errors name the file and the
// field ("req.json: invalid request: layers[0].diffIdFile: expected a
// string, got a number").
// Owner uid and gid must fit in 32 bits.
#ifndef IMAGEWRITER_CLI_REQUEST_READER_H_
#define IMAGEWRITER_CLI_REQUEST_READER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/tar/file_tree.h"
#include "src/writer/image_writer.h"
#include "src/writer/index_writer.h"

namespace imagewriter {

// `source_date_epoch_env` is the SOURCE_DATE_EPOCH variable, or nullptr;
// the request's own source_date_epoch field takes precedence.
absl::StatusOr<ImageSpec> ReadImageRequest(const std::string& path,
                                           const char* source_date_epoch_env);
absl::StatusOr<IndexSpec> ReadIndexRequest(const std::string& path);
// Reads a LayerFiles request into a FileTree.
absl::StatusOr<std::unique_ptr<FileTree>> ReadLayerFiles(const std::string& path);

// Reads a file of KEY=VALUE lines (blank lines skipped) into `out`, in order.
absl::Status ReadKeyValueFile(const std::string& path,
                              std::vector<std::pair<std::string, std::string>>* out);

}  // namespace imagewriter

#endif  // IMAGEWRITER_CLI_REQUEST_READER_H_
