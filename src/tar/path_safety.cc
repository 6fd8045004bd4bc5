#include "src/tar/path_safety.h"

#include <algorithm>
#include <deque>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/base/status.h"

namespace imagewriter {

int MinDepth(absl::string_view path) {
  int depth = 0, lowest = 0;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    depth += part == ".." ? -1 : 1;
    lowest = std::min(lowest, depth);
  }
  return lowest;
}

namespace {

// Linux gives up after 40 links in one lookup (ELOOP); so do we.
constexpr int kMaxHops = 40;

std::vector<std::string> Components(absl::string_view path) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part != ".") out.emplace_back(part);
  }
  return out;
}

// The path as a key: no leading, doubled or trailing slashes, no "." and
// ".." applied (callers have refused paths that climb out).
std::string Normalise(absl::string_view path) {
  std::vector<std::string> kept;
  for (std::string& part : Components(path)) {
    if (part != "..") kept.push_back(std::move(part));
    else if (!kept.empty()) kept.pop_back();
  }
  return absl::StrJoin(kept, "/");
}

}  // namespace

// Walks the parent directories of `path` as an extractor's open() would,
// following the symlinks this layer made, and returns the one whose target
// is absolute or climbs above the root.
const PathSafety::Symlink* PathSafety::EscapingLink(absl::string_view path, bool* loop) const {
  std::vector<std::string> parts = Components(path);
  if (parts.empty()) return nullptr;
  parts.pop_back();  // The entry itself replaces what is there; it is not followed.
  std::deque<std::string> todo(parts.begin(), parts.end());
  std::vector<std::string> at;  // Resolved so far.
  const Symlink* via = nullptr;  // The last link followed.
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == "..") {
      if (at.empty()) return via;  // Climbs above the root (through `via`).
      at.pop_back();
      continue;
    }
    at.push_back(std::move(part));
    auto it = symlinks_.find(absl::StrJoin(at, "/"));
    if (it == symlinks_.end()) continue;
    if (++hops > kMaxHops) {
      *loop = true;
      return &it->second;
    }
    via = &it->second;
    if (absl::StartsWith(via->target, "/")) return via;
    at.pop_back();
    std::vector<std::string> target = Components(via->target);
    todo.insert(todo.begin(), target.begin(), target.end());
  }
  return nullptr;
}

absl::Status PathSafety::CheckSymlinks(const TarEntry& e) const {
  if (symlinks_.empty()) return absl::OkStatus();
  bool loop = false;
  const bool hard_link = e.type == '1';
  for (const std::string* path : {&e.path, hard_link ? &e.link_name : nullptr}) {
    if (path == nullptr) continue;
    const Symlink* link = EscapingLink(*path, &loop);
    if (link == nullptr) continue;
    std::string what = path == &e.path
                           ? absl::StrCat("entry \"", e.path, "\" at offset ", e.header_offset)
                           : absl::StrCat("hard link \"", e.path, "\" -> \"", e.link_name,
                                          "\" at offset ", e.header_offset);
    if (loop) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " goes through more than ", kMaxHops, " symlinks (last \"", link->path,
          "\" at offset ", link->offset, ")"));
    }
    return WithOption(kOptionAllowWritesThroughSymlinks,
                      absl::InvalidArgumentError(absl::StrCat(
                          what, " is written through symlink \"", link->path, "\" -> \"",
                          link->target, "\" at offset ", link->offset,
                          ", which points out of the layer root")));
  }
  return absl::OkStatus();
}

absl::Status PathSafety::Check(const TarEntry& e) {
  if (MinDepth(e.path) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("entry \"", e.path, "\" at offset ",
                                                   e.header_offset, " escapes the layer root"));
  }
  if (e.type == '1' && MinDepth(e.link_name) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("hard link \"", e.path, "\" -> \"", e.link_name,
                                                   "\" at offset ", e.header_offset,
                                                   " points out of the layer root"));
  }
  if (!allow_writes_through_symlinks_) {
    absl::Status status = CheckSymlinks(e);
    if (!status.ok()) return status;
    // The entry now stands at its path: a symlink there is one to follow
    // from now on; anything else replaces whatever link stood there.
    std::string key = Normalise(e.path);
    if (e.type == '2') symlinks_[key] = Symlink{e.path, e.link_name, e.header_offset};
    else symlinks_.erase(key);
  }
  if (!e.path.empty() && e.path[0] == '/') Note(&absolute_, e.path);
  if (e.type == '2' && !e.link_name.empty() && e.link_name[0] != '/') {
    size_t slash = e.path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "" : e.path.substr(0, slash);
    if (MinDepth(absl::StrCat(dir, "/", e.link_name)) < 0) Note(&escaping_links_, e.path);
  }
  return absl::OkStatus();
}

std::vector<std::string> PathSafety::Warnings() const {
  std::vector<std::string> out;
  if (count_absolute_ > 0) {
    out.push_back(absl::StrCat(count_absolute_, " entries with absolute paths (runtimes treat them as "
                               "relative to the root): ", absl::StrJoin(absolute_, ", ")));
  }
  if (count_links_ > 0) {
    out.push_back(absl::StrCat(count_links_, " symlinks whose relative target climbs above the root "
                               "(runtimes clamp them at the root): ", absl::StrJoin(escaping_links_, ", ")));
  }
  return out;
}

void PathSafety::Note(std::vector<std::string>* list, const std::string& path) {
  (list == &absolute_ ? count_absolute_ : count_links_)++;
  if (list->size() < 10) list->push_back(path);
}

}  // namespace imagewriter
