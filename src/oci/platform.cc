#include "src/oci/platform.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"
#include "src/json/fields.h"

namespace imagewriter {
namespace {

bool IsPlatformWord(const std::string& s) {
  static const RE2* const kWord = new RE2("[a-z0-9][a-z0-9_.-]*");
  return RE2::FullMatch(s, *kWord);
}

}  // namespace

absl::StatusOr<Platform> Platform::Parse(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() < 2 || parts.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid platform \"", text, "\": expected os/arch or os/arch/variant"));
  }
  Platform p;
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) {
    // "linux/amd64/" is a typo, not linux/amd64: containerd's parser
    // refuses an empty part too.
    if (parts[2].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid platform \"", text, "\": the variant after the last '/' is empty"));
    }
    p.variant = parts[2];
  }
  absl::Status status = p.Validate(absl::StrCat("platform \"", text, "\""));
  if (!status.ok()) return status;
  return p;
}

absl::Status Platform::Validate(absl::string_view what) const {
  if (!IsPlatformWord(os)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", what, ": os \"", os, "\" must be lowercase [a-z0-9_.-]"));
  }
  if (!IsPlatformWord(architecture)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", what, ": architecture \"", architecture,
                     "\" must be lowercase [a-z0-9_.-]"));
  }
  if (!variant.empty() && !IsPlatformWord(variant)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", what, ": variant \"", variant, "\" must be lowercase [a-z0-9_.-]"));
  }
  return absl::OkStatus();
}

std::string Platform::ToString() const {
  return variant.empty() ? absl::StrCat(os, "/", architecture)
                         : absl::StrCat(os, "/", architecture, "/", variant);
}

json::Value Platform::ToJson() const {
  json::Value v = json::Value::Object();
  v.Set("architecture", json::Value::String(architecture));
  v.Set("os", json::Value::String(os));
  if (!os_version.empty()) v.Set("os.version", json::Value::String(os_version));
  if (!os_features.empty()) v.Set("os.features", json::Value::StringArray(os_features));
  if (!variant.empty()) v.Set("variant", json::Value::String(variant));
  return v;
}

absl::StatusOr<Platform> Platform::FromJson(const json::Value& v,
                                            absl::string_view path) {
  absl::Status s = json::RequireObject(v, path);
  if (!s.ok()) return s;
  std::optional<std::string> os, arch, variant, os_version;
  std::optional<std::vector<std::string>> features;
  for (absl::Status st : {json::GetString(v, path, "os", &os),
                          json::GetString(v, path, "architecture", &arch),
                          json::GetString(v, path, "variant", &variant),
                          json::GetString(v, path, "os.version", &os_version),
                          json::GetStringArray(v, path, "os.features", &features)}) {
    if (!st.ok()) return st;
  }
  Platform p;
  p.os = os.value_or("");
  p.architecture = arch.value_or("");
  p.variant = variant.value_or("");
  p.os_version = os_version.value_or("");
  if (features) p.os_features = *features;
  s = p.Validate(path);
  if (!s.ok()) return s;
  return p;
}

}  // namespace imagewriter
