// Stamper: replaces {KEY} in request values with Bazel's workspace-status
// values (--stamp), read from status files such as stable-status.txt.
//
// A status file holds "KEY value" lines: the key is up to the first space,
// the value all after it (spaces included; none gives ""); empty lines are
// skipped. A key defined twice (in stable and volatile status, say) takes
// its last value. A {KEY} that no file defines is left as it is. Stamping is on as
// soon as one status file is given, even an empty one; with none, Apply()
// changes nothing, so that unstamped builds never depend on the state of
// the workspace.
#ifndef IMAGEWRITER_REQUEST_STAMPER_H_
#define IMAGEWRITER_REQUEST_STAMPER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

class Stamper {
 public:
  Stamper() = default;  // Off.
  static absl::StatusOr<Stamper> FromStatusFiles(const std::vector<std::string>& files);

  bool enabled() const { return enabled_; }
  std::string Apply(absl::string_view text) const;
  void ApplyToValues(std::map<std::string, std::string>* m) const;

 private:
  void AddStatusLines(absl::string_view text);

  bool enabled_ = false;
  std::map<std::string, std::string> replacements_;  // "{KEY}" to its value.
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_STAMPER_H_
