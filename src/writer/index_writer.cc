#include "src/writer/index_writer.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "src/json/writer.h"
#include "src/oci/annotations.h"
#include "src/writer/attestation_writer.h"

namespace imagewriter {
namespace {

// An attestation entry must attest an image manifest of this index, and
// shares platform unknown/unknown with the others (BuildKit's layout).
absl::Status CheckAttestationEntry(const Descriptor& d, const std::string& where,
                                   const std::set<std::string>& manifests, MediaFlavor flavor) {
  if (flavor == MediaFlavor::kDocker) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": a Docker manifest list cannot hold attestation manifests (BuildKit refuses "
               "attestations with Docker media types); use OCI media types"));
  }
  auto ref = d.annotations.find(kAnnotationReferenceDigest);
  if (ref == d.annotations.end() || manifests.count(ref->second) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": an attestation manifest's ", kAnnotationReferenceDigest,
        " must name an image manifest of the index, got \"",
        ref == d.annotations.end() ? "" : ref->second, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

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
  std::set<std::string> platforms, digests;
  std::vector<json::Value> manifests;
  for (const Descriptor& d : spec.manifests) digests.insert(d.digest.ToString());
  for (size_t i = 0; i < spec.manifests.size(); ++i) {
    const Descriptor& d = spec.manifests[i];
    const std::string where = absl::StrCat("manifest ", i, " (", d.digest.ToString(), ")");
    if (IsAttestationEntry(d)) {
      return absl::InvalidArgumentError(where + ": is an attestation manifest; list it as one");
    }
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
  // After every platform manifest, as BuildKit orders them.
  for (size_t i = 0; i < spec.attestations.size(); ++i) {
    const Descriptor& d = spec.attestations[i];
    absl::Status s = CheckAttestationEntry(
        d, absl::StrCat("attestation ", i, " (", d.digest.ToString(), ")"), digests, spec.flavor);
    if (!s.ok()) return s;
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
