#include "src/io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kChunkSize = 1 << 20;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  int saved = errno;
  std::string message = absl::StrCat(path, ": ", what, ": ", strerror(saved));
  if (saved == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

// What a non-regular file is, for errors ("is a FIFO (named pipe)").
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

constexpr char kTempSuffix[] = ".tmp-XXXXXX";

}  // namespace

absl::Status RequireFileOrDirectory(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoError("cannot open", path);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": is ", KindOf(st.st_mode),
      ", expected a regular file or a directory (it is read by offset)"));
}

std::string TempSiblingTemplate(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t base_start = slash == std::string::npos ? 0 : slash + 1;
  const size_t room = NAME_MAX - (sizeof(kTempSuffix) - 1);
  std::string base = path.substr(base_start);
  // Cut on a byte boundary: the name is only ever used by this process, and
  // the random suffix, not the base, is what makes it unique.
  if (base.size() > room) base.resize(room);
  return absl::StrCat(path.substr(0, base_start), base, kTempSuffix);
}

absl::StatusOr<InputFile> InputFile::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    absl::Status status = ErrnoError("cannot stat", path);
    close(fd);
    return status;
  }
  // A directory cannot be read; a device either never ends (/dev/zero) or
  // is not data at all. Pipes stay allowed: they are how a stream arrives.
  if (S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": is ", KindOf(st.st_mode), ", expected a regular file or a pipe"));
  }
  return InputFile(path, fd, S_ISREG(st.st_mode));
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), regular_(other.regular_) {
  other.fd_ = -1;
}

InputFile::~InputFile() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<size_t> InputFile::Read(char* buffer, size_t n) {
  while (true) {
    ssize_t got = read(fd_, buffer, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return ErrnoError("read failed", path_);
  }
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes) {
  absl::StatusOr<InputFile> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  std::string contents;
  std::vector<char> buffer(64 << 10);
  while (true) {
    absl::StatusOr<size_t> got = file->Read(buffer.data(), buffer.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    if (contents.size() + *got > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": larger than the limit of ", max_bytes,
                       " bytes for a metadata file"));
    }
    contents.append(buffer.data(), *got);
  }
  return contents;
}

absl::Status StreamFile(const std::string& path, ByteSink* sink) {
  absl::StatusOr<InputFile> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  std::vector<char> buffer(kChunkSize);
  while (true) {
    absl::StatusOr<size_t> got = file->Read(buffer.data(), buffer.size());
    if (!got.ok()) return got.status();
    if (*got == 0) return absl::OkStatus();
    absl::Status status = sink->Append(absl::string_view(buffer.data(), *got));
    if (!status.ok()) return status;
  }
}

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  std::string temp_path = TempSiblingTemplate(path);
  int fd = mkostemp(temp_path.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot create temporary output", temp_path);
  return AtomicFile(path, std::move(temp_path), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(other.fd_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;  // The moved-from object owns nothing.
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
}

absl::Status AtomicFile::Append(absl::string_view data) {
  while (!data.empty()) {
    ssize_t wrote = write(fd_, data.data(), data.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write failed", temp_path_);
    }
    data.remove_prefix(static_cast<size_t>(wrote));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> AtomicFile::CopyFrom(const InputFile& input) {
  if (!input.regular()) {
    return absl::InvalidArgumentError(
        absl::StrCat(input.path(), ": cannot be copied by offset: not a regular file"));
  }
  struct stat st;
  if (fstat(input.fd(), &st) != 0) return ErrnoError("cannot stat", input.path());
  if (ioctl(fd_, FICLONE, input.fd()) == 0) return static_cast<uint64_t>(st.st_size);
  // copy_file_range copies inside the kernel; EXDEV, ENOSYS or EINVAL
  // (other file systems, old kernels) fall back to an ordinary copy.
  loff_t in_offset = 0, out_offset = 0;
  bool kernel_copy = true;
  while (kernel_copy) {
    ssize_t n = copy_file_range(input.fd(), &in_offset, fd_, &out_offset, 1 << 30, 0);
    if (n == 0) return static_cast<uint64_t>(in_offset);
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
      return ErrnoError("copy_file_range failed", temp_path_);
    }
    kernel_copy = false;
  }
  std::vector<char> buffer(1 << 20);
  while (true) {
    ssize_t n = pread(input.fd(), buffer.data(), buffer.size(), in_offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read failed", input.path());
    if (n == 0) return static_cast<uint64_t>(in_offset);
    in_offset += n;
    for (ssize_t done = 0; done < n;) {
      ssize_t wrote = pwrite(fd_, buffer.data() + done, static_cast<size_t>(n - done), out_offset);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) return ErrnoError("write failed", temp_path_);
      done += wrote;
      out_offset += wrote;
    }
  }
}

absl::Status AtomicFile::Commit() {
  if (fchmod(fd_, 0644) != 0) return ErrnoError("chmod failed", temp_path_);
  if (close(fd_) != 0) {
    fd_ = -1;
    return ErrnoError("close failed", temp_path_);
  }
  fd_ = -1;
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return ErrnoError("cannot rename temporary output into place", path_);
  }
  committed_ = true;
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  absl::Status status = file->Append(contents);
  if (!status.ok()) return status;
  return file->Commit();
}

absl::Status LinkOrCopy(const std::string& from, const std::string& to) {
  if (linkat(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) == 0) {
    return absl::OkStatus();
  }
  if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP) {
    return ErrnoError(absl::StrCat("cannot link to ", to), from);
  }
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(to);
  if (!out.ok()) return out.status();
  absl::Status s = StreamFile(from, &*out);
  if (!s.ok()) return s;
  return out->Commit();
}

}  // namespace imagewriter
