#include "src/diff/artifact_diff.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "src/diff/blob_check.h"
#include "src/diff/json_diff.h"
#include "src/json/parser.h"
#include "src/oci/annotations.h"

namespace imagewriter {
namespace {

// The blob's bytes, checked, or none when it is too large to hold (it is
// still checked, streamed: its digest is what the report then names).
absl::StatusOr<std::optional<std::string>> ReadArtifact(const ArtifactLayer& layer) {
  const Digest& want = layer.descriptor.digest;
  absl::StatusOr<uint64_t> size = layer.source->Size(layer.name);
  if (!size.ok()) return size.status();
  if (*size > kMaxArtifactBytes) {
    absl::Status s = VerifyBlob(*layer.source, layer.name, want);
    if (!s.ok()) return s;
    return std::optional<std::string>();
  }
  absl::StatusOr<std::string> bytes = layer.source->ReadSmall(layer.name, kMaxArtifactBytes);
  if (!bytes.ok()) return bytes.status();
  absl::Status s = CheckBytes(*layer.source, layer.name, want, *bytes);
  if (!s.ok()) return s;
  return std::optional<std::string>(*std::move(bytes));
}

// What the layer is: its media type, and a statement's predicate type.
std::string Note(const Descriptor& d) {
  std::string note = d.media_type;
  auto predicate = d.annotations.find(kAnnotationPredicateType);
  if (predicate != d.annotations.end()) absl::StrAppend(&note, ", predicate ", predicate->second);
  return note;
}

const json::Value* Member(const json::Value& v, absl::string_view key) {
  return v.is_object() ? v.Find(key) : nullptr;
}

// The paths `.subject[i].digest.<algorithm>` at which A's statement names
// the manifest A's attestation attests, and B's the one B's does.
std::set<std::string> AttestedSubjects(const json::Value& a, const json::Value& b, const ArtifactLayer& x,
                                       const ArtifactLayer& y) {
  std::set<std::string> out;
  const json::Value* sa = Member(a, "subject");
  const json::Value* sb = Member(b, "subject");
  if (!x.attests || !y.attests || x.attests->algorithm() != y.attests->algorithm() || sa == nullptr ||
      sb == nullptr || !sa->is_array() || !sb->is_array()) {
    return out;
  }
  const std::string& algorithm = x.attests->algorithm();
  for (size_t i = 0; i < std::min(sa->items().size(), sb->items().size()); ++i) {
    const json::Value* da = Member(sa->items()[i], "digest");
    const json::Value* db = Member(sb->items()[i], "digest");
    const json::Value* va = da != nullptr ? Member(*da, algorithm) : nullptr;
    const json::Value* vb = db != nullptr ? Member(*db, algorithm) : nullptr;
    if (va != nullptr && vb != nullptr && va->is_string() && vb->is_string() &&
        va->text() == x.attests->encoded() && vb->text() == y.attests->encoded()) {
      out.insert(JsonMemberPath(absl::StrCat(".subject[", i, "].digest"), algorithm));
    }
  }
  return out;
}

// Whether B's bytes are A's once B's attested digest is A's: the blobs
// differ only in the subjects that were not reported.
bool OnlySubjectsDiffer(const std::string& a, const std::string& b, const ArtifactLayer& x,
                        const ArtifactLayer& y) {
  if (!x.attests || !y.attests) return false;
  return absl::StrReplaceAll(b, {{y.attests->encoded(), x.attests->encoded()}}) == a;
}

// Both blobs as JSON; false when either is not JSON.
bool CompareAsJson(const std::string& a, const std::string& b, const ArtifactLayer& x, const ArtifactLayer& y,
                   const Difference& base, DiffReport* report) {
  absl::StatusOr<json::Value> ja = json::Parse(a, x.source->Describe(x.name));
  absl::StatusOr<json::Value> jb = json::Parse(b, y.source->Describe(y.name));
  if (!ja.ok() || !jb.ok()) return false;
  const std::set<std::string> skip = AttestedSubjects(*ja, *jb, x, y);
  DiffReport found;
  CompareJson(*ja, *jb, base, [&skip](absl::string_view path) { return skip.count(std::string(path)) > 0; },
              &found);
  for (Difference d : found.differences()) {
    d.subject = absl::StrCat(base.subject, " ", d.subject);
    report->Add(std::move(d));
  }
  report->Drop(found.dropped());
  if (found.identical() && !OnlySubjectsDiffer(a, b, x, y)) {
    // The same JSON in other bytes (member order, spacing, escapes).
    Difference d = base;
    d.field = "encoding";
    d.a = x.descriptor.digest.ToString();
    d.b = y.descriptor.digest.ToString();
    d.note = absl::StrCat(d.note, ": the same JSON, written differently");
    report->Add(std::move(d));
  }
  return true;
}

}  // namespace

absl::Status CompareArtifactLayers(const ArtifactLayer& a, const ArtifactLayer& b, const Difference& base,
                                   DiffReport* report) {
  absl::StatusOr<std::optional<std::string>> x = ReadArtifact(a);
  if (!x.ok()) return x.status();
  absl::StatusOr<std::optional<std::string>> y = ReadArtifact(b);
  if (!y.ok()) return y.status();
  Difference d = base;
  d.note = Note(a.descriptor);
  const bool held = x->has_value() && y->has_value();
  if (held && CompareAsJson(**x, **y, a, b, d, report)) return absl::OkStatus();
  d.field = "digest";
  d.a = a.descriptor.digest.ToString();
  d.b = b.descriptor.digest.ToString();
  absl::StrAppend(&d.note, held ? ": not JSON" : absl::StrCat(": over ", kMaxArtifactBytes, " bytes"),
                  ", compared by digest");
  report->Add(std::move(d));
  return absl::OkStatus();
}

}  // namespace imagewriter
