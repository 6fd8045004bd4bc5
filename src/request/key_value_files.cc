#include "src/request/key_value_files.h"

#include "absl/strings/str_cat.h"
#include "src/io/file.h"

namespace imagewriter {

absl::StatusOr<std::vector<KeyValue>> ReadKeyValueFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseKeyValueLines(*text, path);
}

absl::Status MergeKeyValueFiles(const std::vector<std::string>& files, absl::string_view what,
                                std::map<std::string, std::string>* out) {
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<KeyValue>> entries = ReadKeyValueFile(file);
    if (!entries.ok()) return entries.status();
    for (KeyValue& e : *entries) {
      if (!out->emplace(e.key, std::move(e.value)).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": duplicate ", what, " key \"", e.key, "\""));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
