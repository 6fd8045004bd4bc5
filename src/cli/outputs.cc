#include "src/cli/outputs.h"

#include <unistd.h>

#include "src/io/file.h"

namespace imagewriter {

absl::Status OutputSet::CommitAll() {
  std::vector<std::string> committed;
  for (const auto& [path, contents] : files_) {
    absl::Status status = WriteFileAtomically(path, contents);
    if (!status.ok()) {
      for (const std::string& done : committed) unlink(done.c_str());
      return status;
    }
    committed.push_back(path);
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
