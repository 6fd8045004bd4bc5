// FileTree: a layer's contents given as files, written as a deterministic tar.
//
// Entries may be added in any order and with any host metadata; the tar is
// the same bytes for the same paths, contents and options:
//   - paths are normalised ("/a//b/" and "./a/b" are "a/b"); ".." and empty
//     paths are refused;
//   - entries are sorted by path, byte order, and every parent directory is
//     written explicitly before its children (mode 0755, the tree's owner);
//   - mtime is the tree's mtime for every entry; uid/gid come from the owner
//     (default 0:0); uname/gname are empty; no atime/ctime is written;
//   - file modes: the entry's mode if set, else the tree's mode if set, else
//     0755 for a file added as executable and 0644 otherwise; directories
//     0755; symlinks 0777. The source file's own mode, owner and times are
//     never read, so the tar does not depend on the file system it is
//     read from (on remote execution, every input may be executable);
//   - with hardlinks on, a source file placed at several paths with the
//     same mode is stored once and linked from the others.
// The same path twice is an error unless both name the same source file.
#ifndef IMAGEWRITER_TAR_FILE_TREE_H_
#define IMAGEWRITER_TAR_FILE_TREE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class FileTree {
 public:
  struct Options {
    std::optional<uint32_t> mode;  // Overrides every file's mode.
    uint64_t uid = 0;
    uint64_t gid = 0;
    int64_t mtime = 0;
    bool hardlinks = false;
  };

  explicit FileTree(Options options) : options_(options) {}

  // `executable` chooses the default mode (0755 or 0644) when no mode is set.
  absl::Status AddFile(const std::string& path, const std::string& source,
                       std::optional<uint32_t> mode = std::nullopt, bool executable = false);
  absl::Status AddSymlink(const std::string& path, const std::string& target);
  absl::Status AddDirectory(const std::string& path, std::optional<uint32_t> mode = std::nullopt);

  // Streams the tar into `out` (source files are read in chunks), then
  // finishes `out`.
  absl::Status Write(ByteSink* out) const;

  // "a/b" from "/a//b/"; error for "..", "." only, or empty.
  static absl::StatusOr<std::string> NormalizePath(const std::string& path);

 private:
  struct Node {
    char type;  // '0' file, '2' symlink, '5' directory.
    std::string source;
    std::string link;
    std::optional<uint32_t> mode;
    bool implied = false;     // A parent nobody declared.
    bool executable = false;  // For a file: 0755 unless a mode is set.
  };
  absl::Status Add(const std::string& path, Node node);

  Options options_;
  std::map<std::string, Node> nodes_;  // Sorted by path.
};

// Parses "uid:gid" (decimal).
absl::Status ParseOwner(const std::string& text, uint64_t* uid, uint64_t* gid);
// Parses an octal mode such as "0755" or "644".
absl::StatusOr<uint32_t> ParseMode(const std::string& text);

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_FILE_TREE_H_
