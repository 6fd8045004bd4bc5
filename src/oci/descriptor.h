// Descriptor: the OCI content descriptor (image-spec descriptor.md).
//
// ToJson() emits Go's ocispec.Descriptor field order: mediaType, digest,
// size, urls, annotations, data, platform, artifactType, omitting empty
// optional fields. Annotations are written sorted by key. FromJson()
// requires mediaType, a valid digest and a non-negative size.
#ifndef IMAGEWRITER_OCI_DESCRIPTOR_H_
#define IMAGEWRITER_OCI_DESCRIPTOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/digest/digest.h"
#include "src/json/value.h"
#include "src/oci/platform.h"

namespace imagewriter {

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<std::string> data;  // base64, as in the spec.
  std::optional<Platform> platform;
  std::string artifact_type;

  json::Value ToJson() const;
  static absl::StatusOr<Descriptor> FromJson(const json::Value& v,
                                             absl::string_view path);
};

// Whether an index entry is one of BuildKit's attestation manifests: its
// vnd.docker.reference.type annotation says so (attestation-storage.md).
bool IsAttestationEntry(const Descriptor& d);

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_DESCRIPTOR_H_
