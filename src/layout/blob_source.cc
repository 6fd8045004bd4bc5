#include "src/layout/blob_source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/io/file.h"
#include "src/tar/path_safety.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace {

constexpr size_t kChunk = 1 << 20;

class DirectorySource : public BlobSource {
 public:
  explicit DirectorySource(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<uint64_t> Size(const std::string& name) const override {
    absl::Status inside = CheckInside(name);
    if (!inside.ok()) return inside;
    struct stat st;
    if (stat(Path(name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return absl::NotFoundError(absl::StrCat(Describe(name), ": missing"));
    }
    return static_cast<uint64_t>(st.st_size);
  }
  absl::Status Stream(const std::string& name, ByteSink* sink) const override {
    absl::Status inside = CheckInside(name);
    if (!inside.ok()) return inside;
    return StreamFile(Path(name), sink);
  }
  absl::StatusOr<std::string> ReadPrefix(const std::string& name, size_t n) const override {
    absl::Status inside = CheckInside(name);
    if (!inside.ok()) return inside;
    absl::StatusOr<InputFile> file = InputFile::Open(Path(name));
    if (!file.ok()) return file.status();
    std::string prefix(n, '\0');
    size_t got = 0;
    while (got < n) {
      absl::StatusOr<size_t> read = file->Read(prefix.data() + got, n - got);
      if (!read.ok()) return read.status();
      if (*read == 0) break;
      got += *read;
    }
    prefix.resize(got);
    return prefix;
  }
  std::string Describe(const std::string& name) const override { return Path(name); }

 private:
  // Names come from manifests (a docker archive's manifest.json names its
  // files); none may reach outside the directory.
  absl::Status CheckInside(const std::string& name) const {
    if (StaysInside(name)) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(root_, ": \"", name, "\" leaves the directory"));
  }
  std::string Path(const std::string& name) const { return absl::StrCat(root_, "/", name); }
  std::string root_;
};

class ArchiveSource : public BlobSource {
 public:
  struct Entry {
    uint64_t offset;
    uint64_t size;
  };
  ArchiveSource(std::string path, int fd, std::map<std::string, Entry> entries)
      : path_(std::move(path)), fd_(fd), entries_(std::move(entries)) {}
  ~ArchiveSource() override { close(fd_); }

  absl::StatusOr<uint64_t> Size(const std::string& name) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return absl::NotFoundError(absl::StrCat(Describe(name), ": missing"));
    return it->second.size;
  }
  absl::Status Stream(const std::string& name, ByteSink* sink) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return absl::NotFoundError(absl::StrCat(Describe(name), ": missing"));
    return Read(name, it->second.offset, it->second.size, sink);
  }
  absl::StatusOr<std::string> ReadPrefix(const std::string& name, size_t n) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return absl::NotFoundError(absl::StrCat(Describe(name), ": missing"));
    StringSink prefix;
    absl::Status s = Read(name, it->second.offset, std::min<uint64_t>(n, it->second.size), &prefix);
    if (!s.ok()) return s;
    return prefix.data();
  }
  std::string Describe(const std::string& name) const override {
    return absl::StrCat(path_, ": ", name);
  }

 private:
  // Streams `left` bytes of the archive from `offset`: part of entry `name`.
  absl::Status Read(const std::string& name, uint64_t offset, uint64_t left, ByteSink* sink) const {
    std::string buffer(static_cast<size_t>(std::min<uint64_t>(left, kChunk)), '\0');
    while (left > 0) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(left, kChunk));
      ssize_t got = pread(fd_, buffer.data(), want, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        return absl::DataLossError(absl::StrCat(Describe(name), ": read failed at offset ", offset));
      }
      absl::Status s = sink->Append(absl::string_view(buffer.data(), static_cast<size_t>(got)));
      if (!s.ok()) return s;
      offset += static_cast<uint64_t>(got);
      left -= static_cast<uint64_t>(got);
    }
    return absl::OkStatus();
  }

  std::string path_;
  int fd_;
  std::map<std::string, Entry> entries_;
};

// "./a/b" and "a/b/" name the same entry as "a/b".
std::string CleanName(std::string name) {
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

}  // namespace

bool StaysInside(absl::string_view name) {
  return !name.empty() && name[0] != '/' && MinDepth(name) >= 0 &&
         name.find('\0') == absl::string_view::npos;
}

absl::StatusOr<std::string> BlobSource::ReadSmall(const std::string& name,
                                                  uint64_t max_bytes) const {
  absl::StatusOr<uint64_t> size = Size(name);
  if (!size.ok()) return size.status();
  if (*size > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(Describe(name), ": ", *size,
                                                     " bytes, over the limit of ", max_bytes));
  }
  StringSink sink;
  absl::Status s = Stream(name, &sink);
  if (!s.ok()) return s;
  return sink.data();
}

std::string BlobPath(const std::string& algorithm, const std::string& encoded) {
  return absl::StrCat("blobs/", algorithm, "/", encoded);
}

std::unique_ptr<BlobSource> OpenLayoutDirectory(const std::string& path) {
  return std::make_unique<DirectorySource>(path);
}

absl::StatusOr<std::unique_ptr<BlobSource>> OpenArchive(const std::string& path) {
  std::map<std::string, ArchiveSource::Entry> entries;
  absl::Status duplicate;
  TarReader reader([&](const TarEntry& e) {
    // `docker load` refuses an archive with such an entry; so does this,
    // whatever the entry's type, before anything reads it.
    if (!e.path.empty() && (e.path[0] == '/' || MinDepth(e.path) < 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": archive entry \"", e.path, "\" at offset ", e.header_offset,
          e.path[0] == '/' ? " is absolute" : " leaves the archive"));
    }
    if (e.type != '0' && e.type != '7') return absl::OkStatus();
    std::string name = CleanName(e.path);
    if (!entries.emplace(name, ArchiveSource::Entry{e.data_offset, e.size}).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": duplicate archive entry \"", name, "\" at offset ", e.header_offset));
    }
    return absl::OkStatus();
  });
  absl::Status s = StreamFile(path, &reader);
  if (s.ok()) s = reader.Finish();
  if (!s.ok()) {
    if (absl::StartsWith(s.message(), path)) return s;
    return WithContext(path, s);
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", strerror(errno)));
  return std::unique_ptr<BlobSource>(new ArchiveSource(path, fd, std::move(entries)));
}

absl::StatusOr<std::unique_ptr<BlobSource>> OpenBlobSource(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return OpenLayoutDirectory(path);
  return OpenArchive(path);
}

}  // namespace imagewriter
