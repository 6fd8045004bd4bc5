#include "src/writer/attestation_writer.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/json/parser.h"
#include "src/json/writer.h"
#include "src/oci/annotations.h"
#include "src/oci/media_types.h"

namespace imagewriter {
namespace {

// in-toto's statement types: v1 is what BuildKit writes today, v0.1 what
// it wrote before and what many SBOM tools still write.
bool KnownStatementType(const std::string& type) {
  return type == "https://in-toto.io/Statement/v1" || type == "https://in-toto.io/Statement/v0.1";
}

absl::StatusOr<std::string> RequireString(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::InvalidArgumentError(absl::StrCat(key, ": required"));
  if (!v->is_string() || v->text().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(key, ": expected a non-empty string"));
  }
  return v->text();
}

// One subject entry, rebuilt as BuildKit's struct writes it (name, digest
// with sorted keys); its sha256 must be the image manifest's.
absl::StatusOr<json::Value> CheckSubject(const json::Value& entry, const std::string& where,
                                         const Digest& manifest) {
  if (!entry.is_object()) return absl::InvalidArgumentError(where + ": expected an object");
  std::string name = "_";
  std::map<std::string, std::string> digests;
  for (const auto& [key, value] : entry.members()) {
    if (key == "name" && value.is_string()) {
      name = value.text();
    } else if (key == "digest" && value.is_object()) {
      for (const auto& [alg, hex] : value.members()) {
        if (!hex.is_string()) {
          return absl::InvalidArgumentError(absl::StrCat(where, ".digest.", alg, ": expected a string"));
        }
        digests[alg] = hex.text();
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": not a subject member of that type"));
    }
  }
  auto sha = digests.find("sha256");
  if (sha == digests.end()) {
    return absl::InvalidArgumentError(where + ".digest: needs the image manifest's sha256");
  }
  if (sha->second != manifest.encoded()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".digest.sha256: \"", sha->second,
                                                   "\" is not the image manifest ", manifest.ToString()));
  }
  json::Value out = json::Value::Object();
  out.Set("name", json::Value::String(name));
  out.Set("digest", json::Value::SortedObject(digests));
  return out;
}

absl::StatusOr<json::Value> Subjects(const json::Value* given, const Digest& manifest) {
  std::vector<json::Value> out;
  if (given != nullptr && !given->is_null() && !given->is_array()) {
    return absl::InvalidArgumentError("subject: expected an array");
  }
  for (size_t i = 0; given != nullptr && given->is_array() && i < given->items().size(); ++i) {
    absl::StatusOr<json::Value> s = CheckSubject(given->items()[i], absl::StrCat("subject[", i, "]"), manifest);
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  if (out.empty()) {
    json::Value filled = json::Value::Object();
    filled.Set("name", json::Value::String("_"));
    filled.Set("digest", json::Value::SortedObject({{"sha256", manifest.encoded()}}));
    out.push_back(std::move(filled));
  }
  return json::Value::Array(std::move(out));
}

absl::StatusOr<std::string> Normalize(const json::Value& v, const Descriptor& subject) {
  if (!v.is_object()) return absl::InvalidArgumentError("an in-toto statement is a JSON object");
  for (const auto& [key, value] : v.members()) {
    if (key != "_type" && key != "predicateType" && key != "subject" && key != "predicate") {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": not a member of an in-toto statement (_type, predicateType, subject, predicate)"));
    }
  }
  absl::StatusOr<std::string> type = RequireString(v, "_type");
  if (!type.ok()) return type.status();
  if (!KnownStatementType(*type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "_type: \"", *type, "\" is not https://in-toto.io/Statement/v1 (or v0.1)"));
  }
  absl::StatusOr<std::string> predicate_type = RequireString(v, "predicateType");
  if (!predicate_type.ok()) return predicate_type.status();
  absl::StatusOr<json::Value> subjects = Subjects(v.Find("subject"), subject.digest);
  if (!subjects.ok()) return subjects.status();
  json::Value out = json::Value::Object();
  out.Set("_type", json::Value::String(*type));
  out.Set("predicateType", json::Value::String(*predicate_type));
  out.Set("subject", *std::move(subjects));
  const json::Value* predicate = v.Find("predicate");
  // Kept as parsed: the writer re-emits it compacted, as BuildKit re-emits
  // the predicate's json.RawMessage.
  if (predicate != nullptr && !predicate->is_null()) out.Set("predicate", *predicate);
  return json::Compact(out);
}

Descriptor EmptyConfig() {
  Descriptor d;
  d.media_type = kOciEmpty;
  d.digest = *Digest::Parse(kOciEmptyDigest);
  d.size = 2;
  d.data = kOciEmptyData;
  return d;
}

std::string PredicateType(const std::string& blob) {
  absl::StatusOr<json::Value> v = json::Parse(blob, "statement");
  const json::Value* t = v.ok() ? v->Find("predicateType") : nullptr;
  return t != nullptr ? t->text() : "";
}

}  // namespace

absl::StatusOr<std::string> NormalizeStatement(const Statement& statement, const Descriptor& subject) {
  absl::StatusOr<json::Value> v = json::Parse(statement.json, statement.name);
  if (!v.ok()) return v.status();
  absl::StatusOr<std::string> blob = Normalize(*v, subject);
  if (!blob.ok()) return WithContext(statement.name, blob.status());
  return blob;
}

absl::StatusOr<AttestationOutput> BuildAttestation(const AttestationSpec& spec) {
  if (spec.statements.empty()) return absl::InvalidArgumentError("an attestation needs at least one statement");
  if (spec.subject.media_type != kOciManifest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attestations need an OCI image manifest to attest, not \"", spec.subject.media_type,
        "\" (BuildKit refuses attestations with Docker media types)"));
  }
  AttestationOutput out;
  std::vector<json::Value> layers;
  for (const Statement& statement : spec.statements) {
    absl::StatusOr<std::string> blob = NormalizeStatement(statement, spec.subject);
    if (!blob.ok()) return blob.status();
    Descriptor layer;
    layer.media_type = kInTotoLayer;
    layer.digest = Digest::Sha256Of(*blob);
    layer.size = static_cast<int64_t>(blob->size());
    layer.annotations[kAnnotationPredicateType] = PredicateType(*blob);
    layers.push_back(layer.ToJson());
    out.statements.push_back(*std::move(blob));
  }
  Descriptor subject;
  subject.media_type = spec.subject.media_type;
  subject.digest = spec.subject.digest;
  subject.size = spec.subject.size;
  json::Value manifest = json::Value::Object();
  manifest.Set("schemaVersion", json::Value::Int(2));
  manifest.Set("mediaType", json::Value::String(kOciManifest));
  manifest.Set("artifactType", json::Value::String(kAttestationManifestType));
  manifest.Set("config", EmptyConfig().ToJson());
  manifest.Set("layers", json::Value::Array(std::move(layers)));
  manifest.Set("subject", subject.ToJson());
  out.empty_config = "{}";
  out.manifest = json::Indent(manifest);
  Descriptor& d = out.index_descriptor;
  d.media_type = kOciManifest;
  d.digest = Digest::Sha256Of(out.manifest);
  d.size = static_cast<int64_t>(out.manifest.size());
  d.annotations[kAnnotationReferenceDigest] = spec.subject.digest.ToString();
  d.annotations[kAnnotationReferenceType] = kReferenceTypeAttestation;
  d.platform = Platform{};
  d.platform->os = "unknown";
  d.platform->architecture = "unknown";
  out.referrers = BuildReferrersIndex(spec.subject.digest, d);
  return out;
}

std::string ReferrersTag(const Digest& subject) {
  // Both parts already use only [a-z0-9]; the cuts are the spec's.
  return absl::StrCat(subject.algorithm().substr(0, 32), "-", subject.encoded().substr(0, 64));
}

ReferrersIndex BuildReferrersIndex(const Digest& subject, const Descriptor& attestation_manifest) {
  Descriptor entry;
  entry.media_type = attestation_manifest.media_type;
  entry.digest = attestation_manifest.digest;
  entry.size = attestation_manifest.size;
  entry.artifact_type = kAttestationManifestType;
  json::Value index = json::Value::Object();
  index.Set("schemaVersion", json::Value::Int(2));
  index.Set("mediaType", json::Value::String(kOciIndex));
  index.Set("manifests", json::Value::Array({entry.ToJson()}));
  ReferrersIndex out;
  out.tag = ReferrersTag(subject);
  out.index = json::Indent(index);
  out.descriptor.media_type = kOciIndex;
  out.descriptor.digest = Digest::Sha256Of(out.index);
  out.descriptor.size = static_cast<int64_t>(out.index.size());
  return out;
}

}  // namespace imagewriter
