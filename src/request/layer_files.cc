#include "src/request/layer_files.h"

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/proto/request.pb.h"
#include "src/request/request_file.h"

namespace imagewriter {
namespace {

absl::Status ReadOwner(const std::string& owner, const std::string& path, FileTree::Options* options) {
  absl::Status s = ParseOwner(owner, &options->uid, &options->gid);
  if (!s.ok()) return WithContext(path, s);
  constexpr uint64_t kMaxId = 0xFFFFFFFF;
  if (options->uid <= kMaxId && options->gid <= kMaxId) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": owner \"", owner, "\": ",
                                                 options->uid > kMaxId ? "uid" : "gid", " above ",
                                                 kMaxId));
}

absl::StatusOr<FileTree::Options> ReadOptions(const proto::LayerFiles& request, const std::string& path) {
  FileTree::Options options;
  if (!request.mode().empty()) {
    absl::StatusOr<uint32_t> mode = ParseMode(request.mode());
    if (!mode.ok()) return WithContext(path, mode.status());
    options.mode = *mode;
  }
  if (!request.owner().empty()) {
    absl::Status s = ReadOwner(request.owner(), path, &options);
    if (!s.ok()) return s;
  }
  if (request.mtime() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": mtime ", request.mtime(), " is negative"));
  }
  options.mtime = request.mtime();
  options.hardlinks = request.hardlinks();
  return options;
}

absl::Status AddEntry(const proto::FileEntry& e, FileTree* tree) {
  std::optional<uint32_t> mode;
  if (!e.mode().empty()) {
    absl::StatusOr<uint32_t> m = ParseMode(e.mode());
    if (!m.ok()) return m.status();
    mode = *m;
  }
  const int kinds = !e.file().empty() + !e.symlink().empty() + e.directory();
  if (kinds != 1) {
    return absl::InvalidArgumentError("exactly one of file, symlink or directory is required");
  }
  if (!e.file().empty()) return tree->AddFile(e.path(), e.file(), mode, e.executable());
  if (!e.symlink().empty()) return tree->AddSymlink(e.path(), e.symlink());
  return tree->AddDirectory(e.path(), mode);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileTree>> ReadLayerFiles(const std::string& path) {
  proto::LayerFiles request;
  absl::Status s = ReadRequestFile(path, &request);
  if (!s.ok()) return s;
  absl::StatusOr<FileTree::Options> options = ReadOptions(request, path);
  if (!options.ok()) return options.status();
  auto tree = std::make_unique<FileTree>(*options);
  for (int i = 0; i < request.entries_size(); ++i) {
    s = AddEntry(request.entries(i), tree.get());
    if (!s.ok()) return WithContext(absl::StrCat(path, ": entries[", i, "]"), s);
  }
  return tree;
}

}  // namespace imagewriter
