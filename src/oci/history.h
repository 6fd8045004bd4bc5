// History: one entry of an image config's history (image-spec config.md).
//
// JSON follows Go's ocispec.History: created, created_by, author, comment,
// empty_layer, each omitted when empty. Unknown members of a parsed entry are
// dropped, as BuildKit's round trip through the Go struct drops them.
#ifndef IMAGEWRITER_OCI_HISTORY_H_
#define IMAGEWRITER_OCI_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/json/value.h"
#include "src/oci/timestamp.h"

namespace imagewriter {

struct History {
  std::optional<Timestamp> created;
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;

  json::Value ToJson() const;
  static absl::StatusOr<History> FromJson(const json::Value& v,
                                          absl::string_view path);
};

// Reads a config's "history" array; absent or null gives an empty list.
absl::StatusOr<std::vector<History>> HistoryFromConfig(const json::Value& config,
                                                       absl::string_view path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_HISTORY_H_
