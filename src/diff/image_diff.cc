#include "src/diff/image_diff.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "src/diff/artifact_diff.h"
#include "src/diff/blob_check.h"
#include "src/diff/image_source.h"
#include "src/diff/json_diff.h"
#include "src/diff/layer_diff.h"
#include "src/json/parser.h"
#include "src/oci/annotations.h"
#include "src/oci/media_types.h"

namespace imagewriter {
namespace {

// A descriptor's platform as a matching key ("" when it has none).
std::string PlatformKey(const Descriptor& d) {
  if (!d.platform) return "";
  std::string key = d.platform->ToString();
  if (!d.platform->os_version.empty()) absl::StrAppend(&key, " os.version ", d.platform->os_version);
  return key;
}

// The key an index entry is matched by: its platform; for an attestation
// manifest (they all say unknown/unknown) "attestation of" the platform of
// the manifest it attests in the same index, so that it is compared with
// the other side's attestation of the same image.
std::vector<std::string> MatchKeys(const std::vector<Descriptor>& children) {
  std::map<std::string, std::string> platforms;  // Digest -> key.
  for (const Descriptor& d : children) {
    if (!IsAttestationEntry(d)) platforms.emplace(d.digest.ToString(), PlatformKey(d));
  }
  std::vector<std::string> keys;
  for (const Descriptor& d : children) {
    if (!IsAttestationEntry(d)) {
      keys.push_back(PlatformKey(d));
      continue;
    }
    const std::optional<Digest> attested = ReferencedDigest(d);
    auto it = attested ? platforms.find(attested->ToString()) : platforms.end();
    std::string of = it != platforms.end() ? it->second : attested ? attested->ToString() : "nothing";
    keys.push_back("attestation of " + (of.empty() ? std::string("(no platform)") : of));
  }
  return keys;
}

// `.layers[3].digest` and the like: the digest and size of a descriptor,
// which differ only because what they point to does. A descriptor is the
// document itself (an index entry), `.config`, `.subject` or `.layers[N]`.
bool IsPointer(absl::string_view path) {
  for (absl::string_view member : {".digest", ".size"}) {
    if (!absl::ConsumeSuffix(&path, member)) continue;
    if (path.empty() || path == ".config" || path == ".subject") return true;
    if (!absl::ConsumePrefix(&path, ".layers[") || !absl::ConsumeSuffix(&path, "]") || path.empty()) {
      return false;
    }
    return path.find_first_not_of("0123456789") == absl::string_view::npos;
  }
  return false;
}

std::vector<std::string> DiffIds(const json::Value& config) {
  std::vector<std::string> out;
  const json::Value* rootfs = config.is_object() ? config.Find("rootfs") : nullptr;
  const json::Value* ids = rootfs != nullptr && rootfs->is_object() ? rootfs->Find("diff_ids") : nullptr;
  if (ids == nullptr || !ids->is_array()) return out;
  for (const json::Value& id : ids->items()) out.push_back(id.is_string() ? id.text() : "");
  return out;
}

// The scope of a manifest under an index entry: the platforms on the way.
std::string JoinScope(const std::string& scope, const std::string& key) {
  if (scope.empty() || key.empty()) return scope + key;
  return absl::StrCat(scope, " ", key);
}

std::vector<std::string> Digests(const std::vector<Descriptor>& layers) {
  std::vector<std::string> out;
  for (const Descriptor& d : layers) out.push_back(d.digest.ToString());
  return out;
}

// The same layers, in another order.
bool Reordered(const std::vector<Descriptor>& a, const std::vector<Descriptor>& b) {
  std::vector<std::string> x = Digests(a), y = Digests(b);
  if (x == y) return false;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

// "[sha256:0123456789ab, ...]": enough of each digest to tell them apart.
std::string DigestList(const std::vector<Descriptor>& layers) {
  std::string out = "[";
  for (const Descriptor& d : layers) {
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", d.digest.algorithm(), ":",
                    d.digest.encoded().substr(0, 12));
  }
  return out + "]";
}

class ImageDiffer {
 public:
  ImageDiffer(const DiffSide& a, const DiffSide& b, const DecompressionLimits& limits, DiffReport* report)
      : a_(a), b_(b), limits_(limits), report_(report) {}

  absl::Status Nodes(const ImageNode& a, const ImageNode& b, const std::string& scope, int depth) {
    if (depth > kMaxIndexDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat(a.where, ": index nesting deeper than ", kMaxIndexDepth, " levels (or a cycle)"));
    }
    if (a.is_index && b.is_index) return Indexes(a, b, scope, depth);
    if (!a.is_index && !b.is_index) return Manifests(a, b, scope);
    return Mixed(a, b, scope, depth);
  }

 private:
  // An index against a manifest: said once, then the manifest is compared
  // with the index's only entry, or with its entry for the manifest's
  // platform, so that what differs inside is still found.
  absl::Status Mixed(const ImageNode& a, const ImageNode& b, const std::string& scope, int depth) {
    const bool index_is_a = a.is_index;
    const ImageNode& index = index_is_a ? a : b;
    const ImageNode& manifest = index_is_a ? b : a;
    report_->Add(Difference{scope, kKindIndex, ".", "root", index_is_a ? "an index" : "a manifest",
                            index_is_a ? "a manifest" : "an index",
                            absl::StrCat("the index lists ", index.children.size(), " manifests")});
    absl::StatusOr<json::Value> config = ReadConfig(index_is_a ? b_ : a_, manifest);
    if (!config.ok()) return config.status();
    Platform want;
    for (auto [key, field] : {std::pair<const char*, std::string*>{"os", &want.os},
                              {"architecture", &want.architecture}, {"variant", &want.variant}}) {
      const json::Value* v = config->is_object() ? config->Find(key) : nullptr;
      if (v != nullptr && v->is_string()) *field = v->text();
    }
    const Descriptor* chosen = nullptr;
    const std::vector<std::string> keys = MatchKeys(index.children);
    for (size_t i = 0; i < index.children.size(); ++i) {
      const Descriptor& child = index.children[i];
      if (IsAttestationEntry(child)) {
        // A manifest has no attestations beside it: only the index does.
        Only(scope, child, keys[i], index_is_a ? "only in A" : "only in B");
      } else if (chosen == nullptr && (ImageCount(index) == 1 ||
                                       (child.platform && PlatformMatches(want, *child.platform)))) {
        chosen = &child;
      }
    }
    if (chosen == nullptr) return absl::OkStatus();
    absl::StatusOr<ImageNode> node = LoadNode(*(index_is_a ? a_ : b_).source, *chosen);
    if (!node.ok()) return node.status();
    const std::string child_scope = JoinScope(scope, PlatformKey(*chosen));
    return index_is_a ? Nodes(*node, b, child_scope, depth + 1) : Nodes(a, *node, child_scope, depth + 1);
  }

  // JSON differences, with mediaType members reported as media types.
  void Json(const json::Value& a, const json::Value& b, const Difference& base,
            const std::function<bool(absl::string_view)>& skip) {
    DiffReport found;
    CompareJson(a, b, base, skip, &found);
    for (Difference d : found.differences()) {
      if (absl::EndsWith(d.subject, ".mediaType")) d.kind = kKindMediaType;
      report_->Add(std::move(d));
    }
    report_->Drop(found.dropped());
  }

  static size_t ImageCount(const ImageNode& index) {
    return std::count_if(index.children.begin(), index.children.end(),
                         [](const Descriptor& d) { return !IsAttestationEntry(d); });
  }

  absl::Status Indexes(const ImageNode& a, const ImageNode& b, const std::string& scope, int depth) {
    Json(a.document, b.document, Difference{scope, kKindIndex, "", "", "", "", ""},
         [](absl::string_view path) { return path == ".manifests"; });
    const std::vector<std::string> ka = MatchKeys(a.children), kb = MatchKeys(b.children);
    std::vector<std::pair<size_t, size_t>> pairs;
    std::set<size_t> used_a, used_b;
    MatchChildren(a, b, ka, kb, &pairs, &used_a, &used_b);
    for (size_t i = 0; i < a.children.size(); ++i) {
      if (!used_a.count(i)) Only(scope, a.children[i], ka[i], "only in A");
    }
    for (size_t j = 0; j < b.children.size(); ++j) {
      if (!used_b.count(j)) Only(scope, b.children[j], kb[j], "only in B");
    }
    std::set<std::string> paired;  // "<digest A> <digest B>" of the pairs.
    for (const auto& [i, j] : pairs) {
      paired.insert(a.children[i].digest.ToString() + " " + b.children[j].digest.ToString());
    }
    for (const auto& [i, j] : pairs) {
      const std::string key = ka[i].empty() ? kb[j] : ka[i];
      absl::Status s = Children(a.children[i], b.children[j], JoinScope(scope, key), scope, depth,
                                AttestPairedManifests(a.children[i], b.children[j], paired));
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Whether two attestation entries attest manifests that were paired (and
  // are compared): then their vnd.docker.reference.digest differs only
  // because those manifests do.
  static bool AttestPairedManifests(const Descriptor& x, const Descriptor& y, const std::set<std::string>& paired) {
    const std::optional<Digest> rx = ReferencedDigest(x), ry = ReferencedDigest(y);
    return rx && ry && (*rx == *ry || paired.count(rx->ToString() + " " + ry->ToString()) > 0);
  }

  // By key (MatchKeys); then what is left by digest (a manifest whose
  // platform changed); then the last of a kind on each side. Linear in the entries (up to a log),
  // however many a hostile index has.
  static void MatchChildren(const ImageNode& a, const ImageNode& b, const std::vector<std::string>& ka,
                            const std::vector<std::string>& kb, std::vector<std::pair<size_t, size_t>>* pairs,
                            std::set<size_t>* used_a, std::set<size_t>* used_b) {
    auto match = [&](const std::function<std::string(const Descriptor&, const std::string&)>& key) {
      std::map<std::string, std::deque<size_t>> free_b;
      for (size_t j = 0; j < b.children.size(); ++j) {
        if (!used_b->count(j)) free_b[key(b.children[j], kb[j])].push_back(j);
      }
      for (size_t i = 0; i < a.children.size(); ++i) {
        if (used_a->count(i)) continue;
        auto it = free_b.find(key(a.children[i], ka[i]));
        if (it == free_b.end() || it->second.empty()) continue;
        pairs->emplace_back(i, it->second.front());
        used_a->insert(i);
        used_b->insert(it->second.front());
        it->second.pop_front();
      }
    };
    match([](const Descriptor&, const std::string& k) { return k; });
    match([](const Descriptor& d, const std::string&) { return d.digest.ToString(); });
    for (bool attestations : {false, true}) PairLastOfAKind(a, b, attestations, pairs, used_a, used_b);
  }

  // When one image (or one attestation manifest) is left on each side,
  // those two: the same image, changed, on another platform.
  static void PairLastOfAKind(const ImageNode& a, const ImageNode& b, bool attestations,
                              std::vector<std::pair<size_t, size_t>>* pairs, std::set<size_t>* used_a,
                              std::set<size_t>* used_b) {
    auto left = [attestations](const ImageNode& node, const std::set<size_t>& used) {
      std::vector<size_t> out;
      for (size_t i = 0; i < node.children.size() && out.size() < 2; ++i) {
        if (!used.count(i) && IsAttestationEntry(node.children[i]) == attestations) out.push_back(i);
      }
      return out;
    };
    const std::vector<size_t> la = left(a, *used_a), lb = left(b, *used_b);
    if (la.size() != 1 || lb.size() != 1) return;
    pairs->emplace_back(la[0], lb[0]);
    used_a->insert(la[0]);
    used_b->insert(lb[0]);
  }

  // `key` is the entry's MatchKeys key.
  void Only(const std::string& scope, const Descriptor& d, const std::string& key, const char* where) {
    const std::string subject = IsAttestationEntry(d) ? key
                                : key.empty()         ? "platform (no platform)"
                                                      : "platform " + key;
    report_->Add(Difference{scope, kKindIndex, ".manifests", subject, "", "",
                            absl::StrCat(where, ": ", d.digest.ToString())});
  }

  absl::Status Children(const Descriptor& x, const Descriptor& y, const std::string& child_scope,
                        const std::string& scope, int depth, bool attest_paired_manifests) {
    if (PlatformKey(x) != PlatformKey(y)) {
      report_->Add(Difference{scope, kKindIndex, ".manifests", "platform", PlatformKey(x), PlatformKey(y),
                              ""});
    }
    const std::string reference = JsonMemberPath(".annotations", kAnnotationReferenceDigest);
    json::Value dx = x.ToJson(), dy = y.ToJson();
    Json(dx, dy, Difference{child_scope, kKindIndex, "", "", "", "", "index entry"},
         [&](absl::string_view path) {
           return IsPointer(path) || path == ".platform" || (attest_paired_manifests && path == reference);
         });
    // A pair already compared (indexes may share manifests, and a hostile
    // one may list the same pair many times at every level) is not again.
    if (x.digest == y.digest || !compared_.insert(x.digest.ToString() + " " + y.digest.ToString()).second) {
      return absl::OkStatus();
    }
    absl::StatusOr<ImageNode> na = LoadNode(*a_.source, x);
    if (!na.ok()) return na.status();
    absl::StatusOr<ImageNode> nb = LoadNode(*b_.source, y);
    if (!nb.ok()) return nb.status();
    return Nodes(*na, *nb, child_scope, depth + 1);
  }

  absl::Status Manifests(const ImageNode& a, const ImageNode& b, const std::string& scope) {
    const std::vector<Descriptor>& la = a.manifest.layers;
    const std::vector<Descriptor>& lb = b.manifest.layers;
    Json(a.document, b.document, Difference{scope, kKindManifest, "", "", "", "", ""},
         [](absl::string_view path) { return IsPointer(path); });
    json::Value ca, cb;
    absl::Status s = Configs(a, b, scope, &ca, &cb);
    if (!s.ok()) return s;
    if (Reordered(la, lb)) {
      report_->Add(Difference{scope, kKindManifest, ".layers", "order", DigestList(la), DigestList(lb),
                              "the same layers in another order"});
      return absl::OkStatus();
    }
    const std::vector<std::string> ida = DiffIds(ca), idb = DiffIds(cb);
    for (size_t i = 0; i < la.size() && i < lb.size(); ++i) {
      if (la[i].digest == lb[i].digest ||
          !compared_.insert(la[i].digest.ToString() + " " + lb[i].digest.ToString()).second) {
        continue;
      }
      const bool same_tar = i < ida.size() && i < idb.size() && !ida[i].empty() && ida[i] == idb[i];
      s = Layers(a, b, i, scope, same_tar);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The i-th layers, which differ. A layer that is not a tar (an in-toto
  // statement) is compared as what it is, never read as a tar.
  absl::Status Layers(const ImageNode& a, const ImageNode& b, size_t i, const std::string& scope, bool same_tar) {
    const Descriptor& da = a.manifest.layers[i];
    const Descriptor& db = b.manifest.layers[i];
    const Difference base{scope, kKindLayer, absl::StrCat("layers[", i, "]"), "", "", "", ""};
    if (!IsTarLayerMediaType(da.media_type) || !IsTarLayerMediaType(db.media_type)) {
      return CompareArtifactLayers(ArtifactLayer{a_.source.get(), a.layer_names[i], da, a.attests},
                                   ArtifactLayer{b_.source.get(), b.layer_names[i], db, b.attests}, base, report_);
    }
    const LayerBlob x{a_.source.get(), a.layer_names[i], da.digest}, y{b_.source.get(), b.layer_names[i], db.digest};
    return same_tar ? CompareCompression(x, y, base, report_) : CompareLayerBlobs(x, y, base, limits_, report_);
  }

  absl::StatusOr<json::Value> ReadConfig(const DiffSide& side, const ImageNode& node) {
    absl::StatusOr<std::string> bytes = side.source->ReadSmall(node.config_name);
    if (!bytes.ok()) return bytes.status();
    absl::Status checked = CheckBytes(*side.source, node.config_name, node.manifest.config.digest, *bytes);
    if (!checked.ok()) return checked;
    return json::Parse(*std::move(bytes), side.source->Describe(node.config_name));
  }

  // Field by field; the diffIDs of layers that differ are left to the
  // layer comparison, which says why.
  absl::Status Configs(const ImageNode& a, const ImageNode& b, const std::string& scope, json::Value* ca,
                       json::Value* cb) {
    absl::StatusOr<json::Value> x = ReadConfig(a_, a);
    if (!x.ok()) return x.status();
    absl::StatusOr<json::Value> y = ReadConfig(b_, b);
    if (!y.ok()) return y.status();
    *ca = *std::move(x);
    *cb = *std::move(y);
    if (a.manifest.config.digest == b.manifest.config.digest) return absl::OkStatus();
    std::set<std::string> skip;
    const std::vector<Descriptor>& la = a.manifest.layers;
    const std::vector<Descriptor>& lb = b.manifest.layers;
    for (size_t i = 0; i < la.size() && i < lb.size(); ++i) {
      if (la[i].digest != lb[i].digest) skip.insert(absl::StrCat(".rootfs.diff_ids[", i, "]"));
    }
    Json(*ca, *cb, Difference{scope, kKindConfig, "", "", "", "", ""},
         [&skip](absl::string_view path) { return skip.count(std::string(path)) > 0; });
    return absl::OkStatus();
  }

  const DiffSide& a_;
  const DiffSide& b_;
  const DecompressionLimits limits_;
  DiffReport* report_;
  std::set<std::string> compared_;  // "<digest A> <digest B>" of nodes and layers.
};

}  // namespace

absl::StatusOr<DiffReport> DiffImages(const DiffOptions& options) {
  absl::StatusOr<DiffSide> a = OpenDiffSide(options.a);
  if (!a.ok()) return a.status();
  absl::StatusOr<DiffSide> b = OpenDiffSide(options.b);
  if (!b.ok()) return b.status();
  DiffReport report;
  ImageDiffer differ(*a, *b, options.limits, &report);
  absl::Status s = differ.Nodes(a->root, b->root, "", 0);
  if (!s.ok()) return s;
  return report;
}

}  // namespace imagewriter
