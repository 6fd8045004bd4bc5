// File I/O: reading inputs and writing outputs atomically.
//
// Every output imagewriter produces goes through AtomicFile: bytes go to a
// temporary file in the destination's directory, and only Commit() renames it
// to the final name. An AtomicFile destroyed without Commit() removes its
// temporary, so a failed or interrupted run never leaves a partial output
// under the final name. Errors name the path and the failing operation.
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

// An input file opened for sequential reads.
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

 private:
  InputFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
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
  // `input` sequentially at the same time. Do not also Append.
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

// Writes a whole file atomically.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents);

}  // namespace imagewriter

#endif  // IMAGEWRITER_IO_FILE_H_
