#include "src/cli/outputs.h"

#include <unistd.h>

#include "src/io/file.h"

namespace imagewriter {

absl::Status OutputSet::CommitAll() {
  // Every temporary is written before the first rename: a kill while
  // writing leaves no final name at all, and the window for a partial set
  // is only the renames (see the header).
  std::vector<AtomicFile> staged;
  staged.reserve(files_.size());
  for (const auto& [path, contents] : files_) {
    absl::StatusOr<AtomicFile> file = AtomicFile::Create(path);
    if (!file.ok()) return file.status();
    absl::Status status = file->Append(contents);
    if (!status.ok()) return status;
    staged.push_back(*std::move(file));
  }
  std::vector<std::string> committed;
  for (AtomicFile& file : staged) {
    absl::Status status = file.Commit();
    if (!status.ok()) {
      for (const std::string& done : committed) unlink(done.c_str());
      return status;
    }
    committed.push_back(file.path());
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
