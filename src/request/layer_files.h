// The LayerFiles request of `imagewriter layer --files` (schema:
// src/proto/request.proto), read into the FileTree the layer is built from.
//
// mode is octal; owner is "uid:gid", each id within 32 bits (a Linux id: a
// larger one could be no one in the image); mtime is seconds since 1970 and
// not negative. Each entry is exactly one of a file, a symlink or a
// directory. The FileTree checks the paths (src/tar/file_tree.h).
// Errors name the request file, and the entry.
#ifndef IMAGEWRITER_REQUEST_LAYER_FILES_H_
#define IMAGEWRITER_REQUEST_LAYER_FILES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/tar/file_tree.h"

namespace imagewriter {

absl::StatusOr<std::unique_ptr<FileTree>> ReadLayerFiles(const std::string& path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_LAYER_FILES_H_
