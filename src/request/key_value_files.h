// The KEY=VALUE files a request names (env_files, label_files,
// annotation_files), in the format of src/base/key_value.h.
//
// Errors name the file, and the line for a malformed entry.
#ifndef IMAGEWRITER_REQUEST_KEY_VALUE_FILES_H_
#define IMAGEWRITER_REQUEST_KEY_VALUE_FILES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/base/key_value.h"

namespace imagewriter {

// The entries of one file, in order, a repeated key included.
absl::StatusOr<std::vector<KeyValue>> ReadKeyValueFile(const std::string& path);

// Adds the entries of `files` to `out`, which may hold entries already (a
// request's inline labels, say). A key that is there already, from `out` or
// from an earlier line or file, is an error, since neither value could be
// said to win: `labels.txt: duplicate label key "a"` (`what` is "label").
absl::Status MergeKeyValueFiles(const std::vector<std::string>& files, absl::string_view what,
                                std::map<std::string, std::string>* out);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_KEY_VALUE_FILES_H_
