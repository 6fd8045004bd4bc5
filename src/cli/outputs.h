// OutputSet: commits several small outputs together or not at all.
//
// Contents are staged in memory; CommitAll() first writes every output to a
// temporary sibling, then renames them into place one after another, in the
// order they were added. If any step fails, outputs already renamed by this
// call are removed again, so a failed command leaves none of its outputs
// behind.
//
// A kill (SIGKILL, power loss) cannot be cleaned up after. Renames are
// atomic one at a time but not as a set, so a kill between two renames
// leaves the outputs added earlier under their final names, the later ones
// only as "<name>.tmp-XXXXXX" temporaries, and any earlier version of a
// later output still in place. Writing every temporary before the first
// rename makes that window a few renames wide. Callers add outputs in
// dependency order, the output that refers to the others (the descriptor,
// the digest) last: its presence under its final name, with the content
// this run wrote, means the whole set was committed. Under Bazel a killed
// action's outputs are discarded anyway; this matters to direct users.
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
