// Verify: checks an OCI layout, an oci-archive or a docker-archive end to end
// and reports the first problem precisely.
//
// It refuses what `docker load` (or a registry) would refuse. Every
// reachable blob is read: its size and digest must match its descriptor.
// A layout (directory or archive with index.json) needs an oci-layout file
// with imageLayoutVersion "1.0.0". Manifests and indexes must have
// schemaVersion 2; they and configs must parse and have known media types;
// index nesting is bounded (kMaxIndexDepth) and cycles are refused. Every
// layer is decompressed (its media type must match its bytes), its tar
// headers validated, its paths held to the `imagewriter layer` rules
// (PathSafety: nothing climbing out of the root), duplicate paths reported,
// and its diffID compared with the config's rootfs.diff_ids. Archive entries
// must not be absolute or climb out through "..". A docker-archive's
// manifest.json is checked the same way, its Config and Layers paths must
// stay inside the archive, and its repo tags must follow the reference
// grammar. OCI 1.1 artifacts and BuildKit's attestation manifests are
// walked too: their config (a blob, or its inline `data`) and layer blobs
// are checked, in-toto statement layers must parse as statements naming the
// manifest's subject, and an attestation entry of an index
// (vnd.docker.reference.type=attestation-manifest) must attest another
// manifest of the same index, its subject when it has one.
#ifndef IMAGEWRITER_LAYOUT_VERIFY_H_
#define IMAGEWRITER_LAYOUT_VERIFY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "src/compress/decompression_guard.h"

namespace imagewriter {

struct VerifyReport {
  int manifests = 0;     // Image and artifact manifests.
  int attestations = 0;  // Index entries that are attestation manifests.
  int layers = 0;
  int blobs = 0;
  uint64_t bytes = 0;
};

// Every layer's decompression is bounded by `limits` (a zstd stream of RLE
// blocks decodes at 32768:1, so the byte limit is what bounds its time).
absl::StatusOr<VerifyReport> Verify(const std::string& path, DecompressionLimits limits = {});

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_VERIFY_H_
