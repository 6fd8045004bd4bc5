// OutputSet: commits several small outputs together or not at all.
//
// Contents are staged in memory; CommitAll() writes each to a temporary
// sibling and renames them into place. If any step fails, outputs already
// renamed by this call are removed again, so a failed command leaves none
// of its outputs behind.
#ifndef IMAGEWRITER_CLI_OUTPUTS_H_
#define IMAGEWRITER_CLI_OUTPUTS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace imagewriter {

class OutputSet {
 public:
  // An empty path means the output was not requested; it is skipped.
  void Add(const std::string& path, std::string contents) {
    if (!path.empty()) files_.emplace_back(path, std::move(contents));
  }
  absl::Status CommitAll();

 private:
  std::vector<std::pair<std::string, std::string>> files_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_CLI_OUTPUTS_H_
