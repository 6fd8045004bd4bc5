#include "src/tar/file_tree.h"

#include <sys/stat.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/io/file.h"
#include "src/tar/tar_writer.h"

namespace imagewriter {
absl::StatusOr<std::string> FileTree::NormalizePath(const std::string& path) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("path \"", path, "\": \"..\" is not allowed in a layer"));
    }
    parts.emplace_back(part);
  }
  if (parts.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("path \"", path, "\": names no file"));
  }
  return absl::StrJoin(parts, "/");
}

absl::Status FileTree::Add(const std::string& raw_path, Node node) {
  absl::StatusOr<std::string> path = NormalizePath(raw_path);
  if (!path.ok()) return path.status();
  // Parents first, implied unless declared.
  for (size_t slash = path->find('/'); slash != std::string::npos; slash = path->find('/', slash + 1)) {
    std::string parent = path->substr(0, slash);
    auto it = nodes_.find(parent);
    if (it == nodes_.end()) {
      nodes_[parent] = Node{'5', "", "", std::nullopt, true};
    } else if (it->second.type != '5') {
      return absl::InvalidArgumentError(absl::StrCat("path \"", *path, "\": its parent \"", parent,
                                                     "\" is not a directory"));
    }
  }
  auto it = nodes_.find(*path);
  if (it != nodes_.end()) {
    Node& existing = it->second;
    if (existing.type == '5' && node.type == '5') {
      if (!node.implied) existing = node;  // A declared directory sets its mode.
      return absl::OkStatus();
    }
    if (existing.type == node.type && existing.source == node.source && existing.link == node.link &&
        existing.mode == node.mode && existing.executable == node.executable) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "path \"", *path, "\" is given twice, with different contents",
        existing.source.empty() ? "" : absl::StrCat(" (", existing.source, " and ", node.source, ")")));
  }
  nodes_[*path] = std::move(node);
  return absl::OkStatus();
}

absl::Status FileTree::AddFile(const std::string& path, const std::string& source,
                               std::optional<uint32_t> mode, bool executable) {
  return Add(path, Node{'0', source, "", mode, false, executable});
}

absl::Status FileTree::AddSymlink(const std::string& path, const std::string& target) {
  if (target.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("symlink \"", path, "\" has an empty target"));
  }
  return Add(path, Node{'2', "", target, std::nullopt, false});
}

absl::Status FileTree::AddDirectory(const std::string& path, std::optional<uint32_t> mode) {
  return Add(path, Node{'5', "", "", mode, false});
}

absl::Status FileTree::Write(ByteSink* out) const {
  TarWriter tar(out);
  // A hard link shares its target's inode, so mode included: the same
  // source placed with two modes is stored twice, not linked.
  std::map<std::pair<std::string, uint32_t>, std::string> first_path_of_source;
  for (const auto& [path, node] : nodes_) {
    TarHeader h;
    h.uid = options_.uid;
    h.gid = options_.gid;
    h.mtime = options_.mtime;
    h.type = node.type;
    absl::Status s;
    if (node.type == '5') {
      h.path = path + "/";
      h.mode = node.mode.value_or(0755);
      s = tar.WriteHeader(h);
    } else if (node.type == '2') {
      h.path = path;
      h.mode = 0777;
      h.link_name = node.link;
      s = tar.WriteHeader(h);
    } else {
      h.path = path;
      struct stat st;
      if (stat(node.source.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return absl::NotFoundError(absl::StrCat(node.source, ": not a readable regular file (for \"", path, "\")"));
      }
      h.mode = node.mode ? *node.mode
               : options_.mode ? *options_.mode
                               : (node.executable ? 0755 : 0644);
      auto [it, first] = first_path_of_source.emplace(std::make_pair(node.source, h.mode), path);
      if (options_.hardlinks && !first) {
        h.type = '1';
        h.link_name = it->second;
        s = tar.WriteHeader(h);
      } else {
        h.size = static_cast<uint64_t>(st.st_size);
        s = tar.WriteHeader(h);
        if (s.ok()) s = StreamFile(node.source, &tar);
      }
    }
    if (!s.ok()) return s;
  }
  return tar.Finish();
}

absl::Status ParseOwner(const std::string& text, uint64_t* uid, uint64_t* gid) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], uid) || !absl::SimpleAtoi(parts[1], gid) ||
      parts[0].find_first_not_of("0123456789") != std::string::npos ||
      parts[1].find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner \"", text, "\": expected numeric uid:gid, e.g. 65532:65532"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> ParseMode(const std::string& text) {
  uint32_t mode = 0;
  if (text.empty() || text.size() > 5 || text.find_first_not_of("01234567") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("mode \"", text, "\": expected octal, e.g. 0755"));
  }
  for (char c : text) mode = mode * 8 + static_cast<uint32_t>(c - '0');
  if (mode > 07777) return absl::InvalidArgumentError(absl::StrCat("mode \"", text, "\": above 07777"));
  return mode;
}

}  // namespace imagewriter
