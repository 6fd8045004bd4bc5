#include "src/tar/path_safety.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

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
