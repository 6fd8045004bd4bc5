// PathSafety: the layer-root rules for tar entries, shared by every reader
// of layer tars (`imagewriter layer` and `imagewriter verify`), so that a
// layer the tool would refuse to write is also refused when verified.
//
// Check() is called once per entry, in stream order, and refuses:
//   - an entry whose path, or hard-link target, climbs out of the layer
//     root through ".." components;
//   - unless writes through symlinks are allowed: an entry whose parent
//     directories, or a hard link whose target's parent directories, go
//     through a symlink made earlier in the same layer whose target is
//     absolute or climbs above the root, directly or through a chain of
//     symlinks (`lib -> /etc`, then `lib/passwd`). An extractor that opens
//     `<root>/lib/passwd` on the host follows the host's reading of that
//     link and writes outside the root; moby's breakout check and bsdtar
//     refuse the same. A later entry at the link's own path replaces it.
// Errors name the entry and its header offset, and for the symlink rule
// the symlink and its offset too, and the option that would accept the
// entry, kOptionAllowWritesThroughSymlinks (base/status.h). Absolute paths and symlinks whose target
// leaves the root are themselves allowed, because runtimes resolve them
// inside the root, but they are collected for Warnings().
#ifndef IMAGEWRITER_TAR_PATH_SAFETY_H_
#define IMAGEWRITER_TAR_PATH_SAFETY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

inline constexpr char kOptionAllowWritesThroughSymlinks[] = "allow_writes_through_symlinks";

// How deep a path goes below the root; negative if ".." climbs out of it.
int MinDepth(absl::string_view path);

class PathSafety {
 public:
  explicit PathSafety(bool allow_writes_through_symlinks = false)
      : allow_writes_through_symlinks_(allow_writes_through_symlinks) {}

  absl::Status Check(const TarEntry& e);
  // One line per kind of allowed-but-suspicious entry, listing up to ten.
  std::vector<std::string> Warnings() const;

 private:
  struct Symlink {
    std::string path;  // As the entry spells it, for messages.
    std::string target;
    uint64_t offset = 0;
  };
  // The symlink through which the parent directories of `path` leave the
  // root, or nullptr. Sets *loop if resolving never ends.
  const Symlink* EscapingLink(absl::string_view path, bool* loop) const;
  absl::Status CheckSymlinks(const TarEntry& e) const;
  void Note(std::vector<std::string>* list, const std::string& path);

  bool allow_writes_through_symlinks_;
  std::map<std::string, Symlink> symlinks_;  // By normalised path.
  std::vector<std::string> absolute_, escaping_links_;
  uint64_t count_absolute_ = 0, count_links_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_PATH_SAFETY_H_
