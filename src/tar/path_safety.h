// PathSafety: the layer-root rules for tar entries, shared by every reader
// of layer tars (`imagewriter layer` and `imagewriter verify`), so that a
// layer the tool would refuse to write is also refused when verified.
//
// Check() refuses an entry whose path, or hard-link target, climbs out of
// the layer root through ".." components; the error names the entry and its
// header offset. Absolute paths and symlinks whose relative target climbs
// above the root are allowed, because runtimes resolve them inside the root,
// but they are collected for Warnings().
#ifndef IMAGEWRITER_TAR_PATH_SAFETY_H_
#define IMAGEWRITER_TAR_PATH_SAFETY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

// How deep a path goes below the root; negative if ".." climbs out of it.
int MinDepth(absl::string_view path);

class PathSafety {
 public:
  absl::Status Check(const TarEntry& e);
  // One line per kind of allowed-but-suspicious entry, listing up to ten.
  std::vector<std::string> Warnings() const;

 private:
  void Note(std::vector<std::string>* list, const std::string& path);
  std::vector<std::string> absolute_, escaping_links_;
  uint64_t count_absolute_ = 0, count_links_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_PATH_SAFETY_H_
