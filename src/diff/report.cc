#include "src/diff/report.h"

#include "absl/strings/str_cat.h"
#include "src/json/value.h"
#include "src/json/writer.h"

namespace imagewriter {

void DiffReport::Add(Difference d) {
  if (differences_.size() >= kMaxDifferences) {
    ++dropped_;
    return;
  }
  differences_.push_back(std::move(d));
}

bool DiffReport::only_media_types() const {
  if (identical() || dropped_ != 0) return false;
  for (const Difference& d : differences_) {
    if (d.kind != kKindMediaType) return false;
  }
  return true;
}

std::string DescribeDifference(const Difference& d) {
  std::string line;
  if (!d.scope.empty()) absl::StrAppend(&line, d.scope, ": ");
  absl::StrAppend(&line, d.kind);
  if (!d.subject.empty()) absl::StrAppend(&line, " ", d.subject);
  absl::StrAppend(&line, ":");
  if (!d.field.empty()) absl::StrAppend(&line, " ", d.field);
  if (!d.a.empty() || !d.b.empty()) absl::StrAppend(&line, " ", d.a, " -> ", d.b);
  if (!d.note.empty()) absl::StrAppend(&line, " (", d.note, ")");
  return line;
}

std::string DiffReport::ToText(size_t max_lines) const {
  if (identical()) return "identical\n";
  std::string out;
  if (only_media_types()) out = "same image, different media types:\n";
  size_t shown = 0;
  for (const Difference& d : differences_) {
    if (shown == max_lines) break;
    absl::StrAppend(&out, DescribeDifference(d), "\n");
    ++shown;
  }
  const uint64_t more = differences_.size() - shown + dropped_;
  if (more > 0) absl::StrAppend(&out, "... and ", more, " more differences (--json lists them)\n");
  return out;
}

std::string DiffReport::ToJson() const {
  json::Value list = json::Value::Array();
  for (const Difference& d : differences_) {
    list.Append(json::Value::Object({{"scope", json::Value::String(d.scope)},
                                     {"kind", json::Value::String(d.kind)},
                                     {"subject", json::Value::String(d.subject)},
                                     {"field", json::Value::String(d.field)},
                                     {"a", json::Value::String(d.a)},
                                     {"b", json::Value::String(d.b)},
                                     {"note", json::Value::String(d.note)},
                                     {"text", json::Value::String(DescribeDifference(d))}}));
  }
  std::string summary = identical() ? "identical"
                        : only_media_types() ? "same image, different media types"
                                             : "different";
  json::Value report = json::Value::Object({{"identical", json::Value::Bool(identical())},
                                            {"summary", json::Value::String(summary)},
                                            {"differences", std::move(list)},
                                            {"omitted", json::Value::Int(static_cast<int64_t>(dropped_))}});
  return json::Indent(report) + "\n";
}

}  // namespace imagewriter
