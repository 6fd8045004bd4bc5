#include "src/base/key_value.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace imagewriter {
namespace {

constexpr char kExpected[] = "expected KEY=VALUE with a non-empty KEY";

}  // namespace

absl::StatusOr<KeyValue> SplitKeyValue(absl::string_view entry) {
  const size_t eq = entry.find('=');
  if (eq == absl::string_view::npos || eq == 0) return absl::InvalidArgumentError(kExpected);
  return KeyValue{std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1))};
}

absl::StatusOr<std::vector<KeyValue>> ParseKeyValueLines(absl::string_view text,
                                                         absl::string_view where) {
  std::vector<KeyValue> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::StatusOr<KeyValue> entry = SplitKeyValue(line);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", line_number, ": ", kExpected, ", got \"", line, "\""));
    }
    out.push_back(*std::move(entry));
  }
  return out;
}

}  // namespace imagewriter
