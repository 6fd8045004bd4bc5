// WriteArchive: an image from an OCI layout as a single tarball.
//
// - kOci: the OCI layout as a tar (skopeo/podman "oci-archive:"). Indexes of
//   any number of platforms are kept. Each repo tag adds an index.json entry
//   for the root with org.opencontainers.image.ref.name = the tag.
// - kDocker: what `docker save` writes today (the format `docker load` and
//   `podman load` read): manifest.json (Config, RepoTags, Layers), the blobs,
//   and an OCI index.json + oci-layout. It holds one image: a multi-platform
//   root needs a platform, else it is refused with the platforms available.
//
// Entries are sorted by path; directories are 0755, files 0644, uid/gid 0,
// mtime 0. Blobs are streamed in bounded chunks, never held in memory, and
// hashed on the way: a blob whose size or sha256 is not its descriptor's
// fails the archive, naming the blob. The output is written to a temporary
// file and renamed, so a failure leaves nothing under its name.
#ifndef IMAGEWRITER_LAYOUT_ARCHIVE_WRITER_H_
#define IMAGEWRITER_LAYOUT_ARCHIVE_WRITER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "src/oci/platform.h"

namespace imagewriter {

enum class ArchiveFormat { kOci, kDocker };

struct ArchiveOptions {
  std::string layout;  // OCI layout directory (or an archive) to read.
  std::string output;
  ArchiveFormat format = ArchiveFormat::kDocker;
  std::vector<std::string> repo_tags;  // name:tag, validated.
  std::optional<Platform> platform;    // Picks one image from an index.
};

absl::Status WriteArchive(const ArchiveOptions& options);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_ARCHIVE_WRITER_H_
