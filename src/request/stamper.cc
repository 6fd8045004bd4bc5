#include "src/request/stamper.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "src/io/file.h"

namespace imagewriter {

absl::StatusOr<Stamper> Stamper::FromStatusFiles(const std::vector<std::string>& files) {
  Stamper stamper;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadFileToString(file);
    if (!text.ok()) return text.status();
    stamper.AddStatusLines(*text);
    stamper.enabled_ = true;
  }
  return stamper;
}

void Stamper::AddStatusLines(absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t space = line.find(' ');
    const absl::string_view key = line.substr(0, space);
    const absl::string_view value = space == absl::string_view::npos ? "" : line.substr(space + 1);
    replacements_[absl::StrCat("{", key, "}")] = std::string(value);
  }
}

std::string Stamper::Apply(absl::string_view text) const {
  if (!enabled_ || text.find('{') == absl::string_view::npos) return std::string(text);
  return absl::StrReplaceAll(text, replacements_);
}

void Stamper::ApplyToValues(std::map<std::string, std::string>* m) const {
  for (auto& [key, value] : *m) value = Apply(value);
}

}  // namespace imagewriter
