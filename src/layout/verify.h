// Verify: checks an OCI layout, an oci-archive or a docker-archive end to end
// and reports the first problem precisely.
//
// Every reachable blob is read: its size and digest must match its
// descriptor. Manifests, indexes and configs must parse and have known media
// types; index nesting is bounded (kMaxIndexDepth) and cycles are refused.
// Every layer is decompressed (its media type must match its bytes), its
// tar headers validated, duplicate paths reported, and its diffID compared
// with the config's rootfs.diff_ids. A docker-archive's manifest.json is
// checked the same way, and its repo tags against the reference grammar.
#ifndef IMAGEWRITER_LAYOUT_VERIFY_H_
#define IMAGEWRITER_LAYOUT_VERIFY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace imagewriter {

struct VerifyReport {
  int manifests = 0;
  int layers = 0;
  int blobs = 0;
  uint64_t bytes = 0;
};

absl::StatusOr<VerifyReport> Verify(const std::string& path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_VERIFY_H_
