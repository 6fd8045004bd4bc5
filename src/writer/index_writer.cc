#include "src/writer/index_writer.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "src/json/writer.h"

namespace imagewriter {

absl::StatusOr<IndexOutput> BuildIndex(const IndexSpec& spec) {
  if (spec.manifests.empty()) {
    return absl::InvalidArgumentError("an index needs at least one manifest");
  }
  // BuildKit refuses index and manifest-descriptor annotations with Docker
  // media types (writer.go, Commit): the manifest list format has none.
  if (spec.flavor == MediaFlavor::kDocker && !spec.annotations.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a Docker manifest list cannot carry annotations (got ", spec.annotations.size(),
        ", first \"", spec.annotations.begin()->first, "\"); use OCI media types for an annotated index"));
  }
  std::set<std::string> platforms;
  std::vector<json::Value> manifests;
  for (size_t i = 0; i < spec.manifests.size(); ++i) {
    const Descriptor& d = spec.manifests[i];
    const std::string where = absl::StrCat("manifest ", i, " (", d.digest.ToString(), ")");
    const bool ok_type =
        spec.flavor == MediaFlavor::kDocker
            ? d.media_type == kDockerManifest
            : (d.media_type == kOciManifest || d.media_type == kOciIndex ||
               d.media_type == kDockerManifest);
    if (!ok_type) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": media type \"", d.media_type, "\" cannot go in ",
          spec.flavor == MediaFlavor::kDocker ? "a Docker manifest list" : "an OCI index"));
    }
    if (spec.flavor == MediaFlavor::kDocker && !d.annotations.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": a Docker manifest list cannot carry annotations on its entries (got \"",
          d.annotations.begin()->first, "\"); use OCI media types"));
    }
    if (!d.platform) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": has no platform"));
    }
    std::string key = json::Compact(d.platform->ToJson());
    if (!platforms.insert(key).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": platform ", d.platform->ToString(), " appears twice in the index"));
    }
    manifests.push_back(d.ToJson());
  }
  json::Value index = json::Value::Object();
  index.Set("schemaVersion", json::Value::Int(2));
  index.Set("mediaType", json::Value::String(IndexMediaType(spec.flavor)));
  index.Set("manifests", json::Value::Array(std::move(manifests)));
  if (!spec.annotations.empty()) {
    index.Set("annotations", json::Value::SortedObject(spec.annotations));
  }
  IndexOutput out;
  out.index = json::Indent(index);
  out.descriptor.media_type = IndexMediaType(spec.flavor);
  out.descriptor.digest = Digest::Sha256Of(out.index);
  out.descriptor.size = static_cast<int64_t>(out.index.size());
  return out;
}

}  // namespace imagewriter
