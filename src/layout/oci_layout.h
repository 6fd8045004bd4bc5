// WriteOciLayout: an OCI image layout directory (image-spec image-layout.md).
//
//   DIR/oci-layout           {"imageLayoutVersion":"1.0.0"}
//   DIR/index.json           an index of the given root descriptors
//   DIR/blobs/sha256/<hex>   every blob
//
// Blobs reachable from the roots that no input provides are taken from the
// base images given (see OciLayoutSpec::bases); one missing everywhere is an
// error, unless it is declared absent (OciLayoutSpec::absent): then the
// layout is *sparse*, for a push whose destination has, or will be given,
// that blob. Blob files are hard-linked into place, not copied, whenever the file
// system allows (same device, links permitted); otherwise they are copied.
// Large blobs are never read: their descriptor gives digest and size, and the
// size is checked against the file. Small metadata blobs (manifests, configs,
// indexes) are given as bytes and hashed. The directory is assembled under a
// temporary name beside DIR and renamed into place, replacing DIR only if it
// is empty; a failure leaves no DIR behind.
#ifndef IMAGEWRITER_LAYOUT_OCI_LAYOUT_H_
#define IMAGEWRITER_LAYOUT_OCI_LAYOUT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "src/oci/descriptor.h"

namespace imagewriter {

struct LayoutBlobFile {
  Descriptor descriptor;  // Digest and size of the file.
  std::string path;
};

struct OciLayoutSpec {
  std::string directory;
  std::vector<Descriptor> roots;            // index.json's manifests.
  std::vector<std::string> metadata_blobs;  // Files hashed and stored.
  std::vector<LayoutBlobFile> blob_files;   // Files linked by descriptor.
  // Layouts or archives (base images) holding blobs the roots reach but no
  // other input provides. Directory blobs are linked unless copy_bases (for
  // source directories, whose files must not become read-only outputs);
  // archive blobs are copied out.
  std::vector<std::string> bases;
  bool copy_bases = false;
  // Reachable blobs deliberately left out (a shallow base's layers, which a
  // push takes from their registry only if its destination lacks them).
  // Each must match the digest and size the image gives it.
  std::vector<Descriptor> absent;
};

absl::Status WriteOciLayout(const OciLayoutSpec& spec);

// index.json's bytes for the given roots.
std::string LayoutIndexJson(const std::vector<Descriptor>& roots);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_OCI_LAYOUT_H_
