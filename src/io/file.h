// File I/O: reading inputs and writing outputs atomically.
//
// Every output imagewriter produces goes through AtomicFile: bytes go to a
// temporary file in the destination's directory, and only Commit() renames it
// to the final name. An AtomicFile destroyed without Commit() removes its
// temporary, so a failed or interrupted run never leaves a partial output
// under the final name. Errors name the path and the failing operation.
//
// Inputs are bounded by what they are, checked before the first read:
// InputFile takes regular files and pipes (streaming needs stdin and FIFOs)
// and refuses directories and devices, whose reads never end (/dev/zero)
// or mean nothing as a layer; RequireFileOrDirectory is for inputs read by
// offset (archives, layouts), where a pipe cannot work either.
#ifndef IMAGEWRITER_IO_FILE_H_
#define IMAGEWRITER_IO_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

// Reads a whole file. Fails if it is larger than max_bytes, so that metadata
// inputs (descriptors, configs, requests) cannot exhaust memory.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes = 64 << 20);

// Streams a file in fixed-size chunks into a sink. Peak memory is one chunk.
absl::Status StreamFile(const std::string& path, ByteSink* sink);

// Fails unless `path` is a regular file or a directory, naming what it is
// instead. It only stats the path, so a FIFO with no writer is refused
// without blocking.
absl::Status RequireFileOrDirectory(const std::string& path);

// The mkostemp template for a temporary sibling of `path`:
// "<path>.tmp-XXXXXX", with the base name cut short when the whole would
// exceed NAME_MAX (255), so any valid output name gets a valid temporary in
// its own directory. The random suffix keeps it unique.
std::string TempSiblingTemplate(const std::string& path);

// An input file opened for sequential reads: a regular file or a pipe.
class InputFile {
 public:
  static absl::StatusOr<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile();

  // Reads up to n bytes; returns 0 at end of file.
  absl::StatusOr<size_t> Read(char* buffer, size_t n);
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  // A regular file: readable by offset and of fixed size. Otherwise a pipe
  // (or socket), readable once, in order.
  bool regular() const { return regular_; }

 private:
  InputFile(std::string path, int fd, bool regular)
      : path_(std::move(path)), fd_(fd), regular_(regular) {}
  std::string path_;
  int fd_;
  bool regular_;
};

// An output written to a temporary sibling and renamed into place on Commit.
class AtomicFile : public ByteSink {
 public:
  static absl::StatusOr<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile() override;  // Removes the temporary unless committed.

  absl::Status Append(absl::string_view data) override;
  // Makes this file's contents a copy of the whole of `input`, without the
  // bytes passing through this process where the kernel allows: a reflink
  // (FICLONE: shared blocks, no copy) where the file system has them, else
  // copy_file_range (an in-kernel copy), else pread/write. Returns the
  // bytes copied. It reads `input` by offset, so another thread may read
  // `input` sequentially at the same time. Do not also Append. `input`
  // must be regular(): a pipe has no offsets (stream it through Append).
  absl::StatusOr<uint64_t> CopyFrom(const InputFile& input);
  // Flushes, sets mode 0644 (independent of umask) and renames into place.
  absl::Status Commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  std::string path_;
  std::string temp_path_;
  int fd_;
  bool committed_ = false;
};

// Hard-links `from` (following symlinks) to `to`, or copies it (atomically)
// where the file system cannot link: across devices, or where links are not
// permitted or supported. `to` must not exist.
absl::Status LinkOrCopy(const std::string& from, const std::string& to);

// Writes a whole file atomically.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents);

}  // namespace imagewriter

#endif  // IMAGEWRITER_IO_FILE_H_
