// BlobSource: read access to the files of an OCI layout or an image archive.
//
// An OCI layout directory, an oci-archive tarball and a docker-archive
// tarball all hold named files ("index.json", "blobs/sha256/<hex>",
// "manifest.json"). BlobSource hides which one it is, so the archive writer
// and the verifier have one code path. Archives are indexed once (entry
// names, data offsets, sizes) and then read with pread; nothing is extracted
// to the filesystem.
#ifndef IMAGEWRITER_LAYOUT_BLOB_SOURCE_H_
#define IMAGEWRITER_LAYOUT_BLOB_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // Size of a file, or NotFound.
  virtual absl::StatusOr<uint64_t> Size(const std::string& name) const = 0;
  // Streams a file's bytes into `sink` in bounded chunks.
  virtual absl::Status Stream(const std::string& name, ByteSink* sink) const = 0;
  // The first `n` bytes of a file, or all of it if it is shorter: enough
  // to tell a format by its magic without reading the rest.
  virtual absl::StatusOr<std::string> ReadPrefix(const std::string& name, size_t n) const = 0;
  // "<source>: <name>", for error messages.
  virtual std::string Describe(const std::string& name) const = 0;

  bool Has(const std::string& name) const { return Size(name).ok(); }
  // Reads a small file whole; fails past max_bytes.
  absl::StatusOr<std::string> ReadSmall(const std::string& name,
                                        uint64_t max_bytes = 16 << 20) const;
};

// An OCI layout directory.
std::unique_ptr<BlobSource> OpenLayoutDirectory(const std::string& path);
// A tar archive (oci-archive or docker-archive). Fails on a malformed tar or
// a path that appears twice or an entry that is absolute or climbs out
// through "..".
absl::StatusOr<std::unique_ptr<BlobSource>> OpenArchive(const std::string& path);
// A directory or an archive, by what the path is.
absl::StatusOr<std::unique_ptr<BlobSource>> OpenBlobSource(const std::string& path);

// Whether a file name given to a BlobSource stays inside it: not empty, not
// absolute, no ".." climbing above the top, no NUL. Archives with entries
// that do not are refused when opened; directories refuse such names.
bool StaysInside(absl::string_view name);

// "blobs/<algorithm>/<encoded>" for a digest string "algorithm:encoded".
std::string BlobPath(const std::string& algorithm, const std::string& encoded);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_BLOB_SOURCE_H_
