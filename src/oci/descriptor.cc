#include "src/oci/descriptor.h"

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/json/fields.h"
#include "src/oci/annotations.h"

namespace imagewriter {

json::Value Descriptor::ToJson() const {
  json::Value v = json::Value::Object();
  v.Set("mediaType", json::Value::String(media_type));
  v.Set("digest", json::Value::String(digest.ToString()));
  v.Set("size", json::Value::Int(size));
  if (!urls.empty()) v.Set("urls", json::Value::StringArray(urls));
  if (!annotations.empty()) v.Set("annotations", json::Value::SortedObject(annotations));
  if (data) v.Set("data", json::Value::String(*data));
  if (platform) v.Set("platform", platform->ToJson());
  if (!artifact_type.empty()) v.Set("artifactType", json::Value::String(artifact_type));
  return v;
}

absl::StatusOr<Descriptor> Descriptor::FromJson(const json::Value& v,
                                                absl::string_view path) {
  absl::Status s = json::RequireObject(v, path);
  if (!s.ok()) return s;
  std::optional<std::string> media_type, digest, data, artifact_type;
  std::optional<int64_t> size;
  std::optional<std::vector<std::string>> urls;
  Descriptor d;
  for (absl::Status st :
       {json::GetString(v, path, "mediaType", &media_type),
        json::GetString(v, path, "digest", &digest),
        json::GetInt64(v, path, "size", &size),
        json::GetStringArray(v, path, "urls", &urls),
        json::GetStringMap(v, path, "annotations", &d.annotations),
        json::GetString(v, path, "data", &data),
        json::GetString(v, path, "artifactType", &artifact_type)}) {
    if (!st.ok()) return st;
  }
  if (!media_type || media_type->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".mediaType: required"));
  }
  if (!digest) return absl::InvalidArgumentError(absl::StrCat(path, ".digest: required"));
  absl::StatusOr<Digest> parsed = Digest::Parse(*digest);
  if (!parsed.ok()) {
    return WithContext(absl::StrCat(path, ".digest"), parsed.status());
  }
  if (!size) return absl::InvalidArgumentError(absl::StrCat(path, ".size: required"));
  if (*size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".size: ", *size, " is negative"));
  }
  d.media_type = *media_type;
  d.digest = *parsed;
  d.size = *size;
  if (urls) d.urls = *urls;
  d.data = data;
  d.artifact_type = artifact_type.value_or("");
  if (const json::Value* p = v.Find("platform"); p != nullptr && !p->is_null()) {
    absl::StatusOr<Platform> platform =
        Platform::FromJson(*p, absl::StrCat(path, ".platform"));
    if (!platform.ok()) return platform.status();
    d.platform = *platform;
  }
  return d;
}

bool IsAttestationEntry(const Descriptor& d) {
  auto it = d.annotations.find(kAnnotationReferenceType);
  return it != d.annotations.end() && it->second == kReferenceTypeAttestation;
}

}  // namespace imagewriter
