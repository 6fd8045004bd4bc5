// Platform: the os/architecture/variant triple of an image.
//
// Parse() takes "os/arch" or "os/arch/variant" (e.g. "linux/arm64/v8"); each
// part is lowercase letters, digits, '_', '.' or '-', and none is empty
// ("linux/amd64/" is refused). JSON field order is
// Go's ocispec.Platform: architecture, os, os.version, os.features, variant.
#ifndef IMAGEWRITER_OCI_PLATFORM_H_
#define IMAGEWRITER_OCI_PLATFORM_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/json/value.h"

namespace imagewriter {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  static absl::StatusOr<Platform> Parse(absl::string_view text);
  // Validates each present field; `what` names the source in errors.
  absl::Status Validate(absl::string_view what) const;
  std::string ToString() const;  // "os/arch[/variant]"

  json::Value ToJson() const;
  static absl::StatusOr<Platform> FromJson(const json::Value& v,
                                           absl::string_view path);
  bool operator==(const Platform& o) const {
    return os == o.os && architecture == o.architecture &&
           variant == o.variant && os_version == o.os_version &&
           os_features == o.os_features;
  }
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_PLATFORM_H_
