#include "src/layout/verify.h"

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/compress/compression.h"
#include "src/digest/digest_sink.h"
#include "src/json/fields.h"
#include "src/json/parser.h"
#include "src/layout/blob_source.h"
#include "src/layout/image_reader.h"
#include "src/oci/annotations.h"
#include "src/oci/media_types.h"
#include "src/oci/reference.h"
#include "src/tar/path_safety.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace {

class Verifier {
 public:
  Verifier(const BlobSource& source, DecompressionLimits limits) : source_(source), limits_(limits) {}

  absl::Status VerifyLayout() {
    absl::Status layout = CheckLayoutFile(source_);
    if (!layout.ok()) return layout;
    absl::StatusOr<std::vector<Descriptor>> roots = ReadLayoutIndex(source_);
    if (!roots.ok()) return roots.status();
    for (size_t i = 0; i < roots->size(); ++i) {
      absl::Status s = VerifyNode((*roots)[i], absl::StrCat("index.json manifests[", i, "]"), 0);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status VerifyDockerManifest() {
    absl::StatusOr<std::string> text = source_.ReadSmall("manifest.json");
    if (!text.ok()) return text.status();
    const std::string where = source_.Describe("manifest.json");
    absl::StatusOr<json::Value> v = json::Parse(*text, where);
    if (!v.ok()) return v.status();
    if (!v->is_array()) return absl::InvalidArgumentError(where + ": expected an array of images");
    for (size_t i = 0; i < v->items().size(); ++i) {
      const std::string item_where = absl::StrCat(where, "[", i, "]");
      const json::Value& item = v->items()[i];
      absl::Status s = json::RequireObject(item, item_where);
      std::optional<std::string> config;
      std::optional<std::vector<std::string>> layers, tags;
      if (s.ok()) s = json::GetString(item, item_where, "Config", &config);
      if (s.ok()) s = json::GetStringArray(item, item_where, "Layers", &layers);
      if (s.ok()) s = json::GetStringArray(item, item_where, "RepoTags", &tags);
      if (!s.ok()) return s;
      if (!config) return absl::InvalidArgumentError(item_where + ".Config: required");
      s = CheckInsideName(*config, item_where + ".Config");
      for (size_t l = 0; s.ok() && layers && l < layers->size(); ++l) {
        s = CheckInsideName((*layers)[l], absl::StrCat(item_where, ".Layers[", l, "]"));
      }
      if (!s.ok()) return s;
      for (const std::string& tag : tags.value_or(std::vector<std::string>{})) {
        absl::StatusOr<Reference> r = ParseRepoTag(tag);
        if (!r.ok()) return WithContext(absl::StrCat(item_where, ".RepoTags"), r.status());
      }
      absl::StatusOr<std::string> config_bytes = source_.ReadSmall(*config);
      if (!config_bytes.ok()) return config_bytes.status();
      s = CheckNamedDigest(*config, DigestSink::Of(NamedAlgorithm(*config), *config_bytes));
      if (!s.ok()) return s;
      absl::StatusOr<std::vector<Digest>> diff_ids = DiffIds(*config_bytes, source_.Describe(*config));
      if (!diff_ids.ok()) return diff_ids.status();
      const std::vector<std::string> paths = layers.value_or(std::vector<std::string>{});
      if (paths.size() != diff_ids->size()) {
        return absl::InvalidArgumentError(absl::StrCat(item_where, ": ", paths.size(),
                                                       " Layers but the config lists ", diff_ids->size(),
                                                       " rootfs.diff_ids"));
      }
      ++report_.manifests;
      for (size_t l = 0; l < paths.size(); ++l) {
        DigestSink blob_hash(NamedAlgorithm(paths[l]));
        absl::StatusOr<Digest> diff_id =
            LayerDiffId(paths[l], std::nullopt, NamedDigest(paths[l]), (*diff_ids)[l].algorithm(), &blob_hash);
        if (!diff_id.ok()) return diff_id.status();
        s = CheckNamedDigest(paths[l], blob_hash.digest());
        if (!s.ok()) return s;
        if (*diff_id != (*diff_ids)[l]) {
          return absl::DataLossError(absl::StrCat(source_.Describe(paths[l]), ": diffID ",
                                                  diff_id->ToString(), " does not match rootfs.diff_ids[", l,
                                                  "] ", (*diff_ids)[l].ToString()));
        }
      }
    }
    return absl::OkStatus();
  }

  const VerifyReport& report() const { return report_; }

 private:
  // manifest.json names files of the archive; `docker load` refuses one
  // that would be found outside it.
  absl::Status CheckInsideName(const std::string& name, const std::string& field) {
    if (StaysInside(name)) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", name, "\" is not a path inside the archive"));
  }

  // A docker archive's file named blobs/<algorithm>/<hex>, for one of the
  // registered algorithms, promises that digest; other names (docker save's
  // older <id>/layer.tar) promise nothing.
  static bool IsNamedByDigest(const std::string& name) {
    return absl::StartsWith(name, "blobs/sha256/") || absl::StartsWith(name, "blobs/sha512/");
  }

  // The algorithm to hash a docker archive's file with: the one its name
  // promises, else sha256 (which is then not checked).
  static std::string NamedAlgorithm(const std::string& name) {
    return absl::StartsWith(name, "blobs/sha512/") ? "sha512" : "sha256";
  }

  // The digest a file's name promises, when it is a valid one.
  static std::optional<Digest> NamedDigest(const std::string& name) {
    if (!IsNamedByDigest(name)) return std::nullopt;
    // Both prefixes are 13 characters long.
    absl::StatusOr<Digest> d = Digest::Parse(absl::StrCat(NamedAlgorithm(name), ":", name.substr(13)));
    return d.ok() ? std::optional<Digest>(*d) : std::nullopt;
  }

  // A blob named by its digest must hash to it.
  absl::Status CheckNamedDigest(const std::string& name, const Digest& actual) {
    if (IsNamedByDigest(name) && name != BlobPath(actual.algorithm(), actual.encoded())) {
      return absl::DataLossError(absl::StrCat(source_.Describe(name), ": content hashes to ",
                                              actual.ToString()));
    }
    return absl::OkStatus();
  }

  absl::Status CheckSize(const Descriptor& d, const std::string& name, const std::string& referrer) {
    absl::StatusOr<uint64_t> size = source_.Size(name);
    if (!size.ok()) {
      return absl::NotFoundError(absl::StrCat(source_.Describe(name), ": blob missing (referenced by ",
                                              referrer, ")"));
    }
    if (static_cast<int64_t>(*size) != d.size) {
      return absl::DataLossError(absl::StrCat(source_.Describe(name), ": ", *size,
                                              " bytes but the descriptor in ", referrer, " says ", d.size));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadVerified(const Descriptor& d, const std::string& referrer) {
    const std::string name = BlobPath(d.digest.algorithm(), d.digest.encoded());
    absl::Status s = CheckSize(d, name, referrer);
    if (!s.ok()) return s;
    absl::StatusOr<std::string> bytes = source_.ReadSmall(name);
    if (!bytes.ok()) return bytes.status();
    const Digest actual = DigestSink::Of(d.digest.algorithm(), *bytes);
    if (actual != d.digest) {
      return absl::DataLossError(absl::StrCat(source_.Describe(name), ": content hashes to ",
                                              actual.ToString(), ", not its digest"));
    }
    Count(d.size);
    return bytes;
  }

  void Count(int64_t size) {
    ++report_.blobs;
    report_.bytes += static_cast<uint64_t>(size);
  }

  absl::StatusOr<std::vector<Digest>> DiffIds(const std::string& config, const std::string& where) {
    absl::StatusOr<json::Value> v = json::Parse(config, where);
    if (!v.ok()) return v.status();
    absl::Status s = json::RequireObject(*v, where);
    if (!s.ok()) return s;
    const json::Value* rootfs = v->Find("rootfs");
    if (rootfs == nullptr) return absl::InvalidArgumentError(where + ".rootfs: required");
    std::optional<std::vector<std::string>> ids;
    s = json::RequireObject(*rootfs, where + ".rootfs");
    if (s.ok()) s = json::GetStringArray(*rootfs, where + ".rootfs", "diff_ids", &ids);
    if (!s.ok()) return s;
    std::vector<Digest> out;
    for (size_t i = 0; ids && i < ids->size(); ++i) {
      absl::StatusOr<Digest> d = Digest::Parse((*ids)[i]);
      if (!d.ok()) {
        return WithContext(absl::StrCat(where, ".rootfs.diff_ids[", i, "]"), d.status());
      }
      out.push_back(*d);
    }
    return out;
  }

  // Streams a layer: blob hash, decompression, tar validation with
  // duplicate-path detection, diffID (with the algorithm the config's
  // diff_ids entry names). `expected` is the media type's compression when
  // known.
  absl::StatusOr<Digest> LayerDiffId(const std::string& name, std::optional<Compression> expected,
                                     const std::optional<Digest>& expected_digest,
                                     const std::string& diff_algorithm, DigestSink* blob_hash) {
    absl::StatusOr<uint64_t> size = source_.Size(name);
    if (!size.ok()) return size.status();
    absl::StatusOr<std::string> magic = source_.ReadPrefix(name, 4);
    if (!magic.ok()) return magic.status();
    const Compression actual = DetectCompression(*magic);
    if (expected && *expected != actual) {
      return absl::DataLossError(absl::StrCat(source_.Describe(name), ": media type says ",
                                              CompressionName(*expected), " but the blob is ",
                                              CompressionName(actual)));
    }
    std::map<std::string, uint64_t> paths;
    // The rules `imagewriter layer` applies to the tars it is given.
    PathSafety safety;
    TarReader tar([&](const TarEntry& e) {
      absl::Status safe = safety.Check(e);
      if (!safe.ok()) return safe;
      std::string path = e.path;
      while (absl::StartsWith(path, "./")) path.erase(0, 2);
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      auto [it, inserted] = paths.emplace(path, e.header_offset);
      if (!inserted) {
        return absl::DataLossError(absl::StrCat("duplicate path \"", path, "\" in the layer tar at offsets ",
                                                it->second, " and ", e.header_offset));
      }
      return absl::OkStatus();
    });
    DigestSink diff_hash(diff_algorithm);
    TeeSink uncompressed({&tar, &diff_hash});
    CountingSink compressed;
    DecompressionGuard guard(limits_, &compressed, &uncompressed);
    std::unique_ptr<ByteSink> decoder = NewDecoder(actual, &guard);
    TeeSink raw({blob_hash, &compressed, decoder.get()});
    absl::Status s = source_.Stream(name, &raw);
    if (s.ok()) s = raw.Finish();
    if (!s.ok()) {
      // A corrupt stream is usually a blob that is not what its digest says;
      // that is the problem to report when it is so.
      DigestSink rehash(expected_digest ? expected_digest->algorithm() : "sha256");
      if (expected_digest && source_.Stream(name, &rehash).ok() && rehash.Finish().ok() &&
          rehash.digest() != *expected_digest) {
        return absl::DataLossError(absl::StrCat(source_.Describe(name), ": content hashes to ",
                                                rehash.digest().ToString(), ", not its digest"));
      }
      return WithContext(source_.Describe(name), s);
    }
    ++report_.layers;
    Count(static_cast<int64_t>(*size));
    return diff_hash.digest();
  }

  absl::Status VerifyNode(const Descriptor& d, const std::string& referrer, int depth) {
    if (depth > kMaxIndexDepth) {
      return absl::InvalidArgumentError(absl::StrCat(referrer, ": index nesting deeper than ",
                                                     kMaxIndexDepth, " levels"));
    }
    const std::string key = d.digest.ToString();
    if (in_progress_.count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(referrer, ": index cycle through ", key));
    }
    if (verified_.count(key)) return absl::OkStatus();
    in_progress_.insert(key);
    absl::Status s;
    if (IsIndexMediaType(d.media_type)) {
      s = VerifyIndex(d, referrer, depth);
    } else if (IsManifestMediaType(d.media_type)) {
      s = VerifyManifest(d, referrer);
    } else {
      s = absl::InvalidArgumentError(absl::StrCat(referrer, ": unknown media type \"", d.media_type,
                                                  "\" for ", key));
    }
    in_progress_.erase(key);
    if (s.ok()) verified_.insert(key);
    return s;
  }

  absl::Status VerifyIndex(const Descriptor& d, const std::string& referrer, int depth) {
    absl::StatusOr<std::string> bytes = ReadVerified(d, referrer);
    if (!bytes.ok()) return bytes.status();
    const std::string where = source_.Describe(BlobPath(d.digest.algorithm(), d.digest.encoded()));
    absl::StatusOr<std::vector<Descriptor>> children = ParseIndex(*bytes, where);
    if (!children.ok()) return children.status();
    std::set<std::string> listed;
    for (const Descriptor& child : *children) listed.insert(child.digest.ToString());
    for (size_t i = 0; i < children->size(); ++i) {
      const std::string child_ref = absl::StrCat("index ", d.digest.ToString(), " manifests[", i, "]");
      absl::Status s = VerifyNode((*children)[i], child_ref, depth + 1);
      if (s.ok() && IsAttestationEntry((*children)[i])) s = CheckAttestationEntry((*children)[i], listed, child_ref);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // BuildKit's attestation entry names the manifest it attests
  // (vnd.docker.reference.digest): it must be listed in the same index,
  // and be the attestation manifest's subject when it has one.
  absl::Status CheckAttestationEntry(const Descriptor& d, const std::set<std::string>& listed,
                                     const std::string& where) {
    auto ref = d.annotations.find(kAnnotationReferenceDigest);
    if (ref == d.annotations.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": an attestation manifest without ",
                                                     kAnnotationReferenceDigest));
    }
    if (listed.count(ref->second) == 0 || ref->second == d.digest.ToString()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": attests ", ref->second,
                                                     ", which is not another manifest of this index"));
    }
    auto subject = subjects_.find(d.digest.ToString());
    if (subject != subjects_.end() && subject->second != ref->second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", kAnnotationReferenceDigest, " ", ref->second,
                                                     " but the manifest's subject is ", subject->second));
    }
    ++report_.attestations;
    return absl::OkStatus();
  }

  // An OCI 1.1 artifact (an empty config) or a BuildKit attestation manifest
  // (in-toto layers, also in the older form with an image config): its
  // layers are blobs, not tars.
  static bool IsArtifact(const ImageManifest& m) {
    if (m.config.media_type == kOciEmpty || !m.artifact_type.empty()) return true;
    for (const Descriptor& layer : m.layers) {
      if (layer.media_type == kInTotoLayer) return true;
    }
    return false;
  }

  absl::Status VerifyArtifact(const ImageManifest& m, const std::string& where) {
    const std::string self = "manifest " + m.descriptor.digest.ToString();
    absl::Status s = VerifyArtifactConfig(m.config, self + " config");
    for (size_t i = 0; s.ok() && i < m.layers.size(); ++i) {
      const Descriptor& layer = m.layers[i];
      const std::string layer_ref = absl::StrCat(self, " layers[", i, "]");
      if (layer.media_type != kInTotoLayer) {
        s = VerifyBlob(layer, layer_ref);
        continue;
      }
      absl::StatusOr<std::string> statement = ReadVerified(layer, layer_ref);
      const std::string name = BlobPath(layer.digest.algorithm(), layer.digest.encoded());
      s = statement.ok() ? CheckStatement(*statement, m.subject, source_.Describe(name))
                         : statement.status();
    }
    if (!s.ok()) return s;
    if (m.subject) subjects_[m.descriptor.digest.ToString()] = m.subject->digest.ToString();
    ++report_.manifests;
    return absl::OkStatus();
  }

  // The config of an artifact: a blob, or only its inline `data`.
  absl::Status VerifyArtifactConfig(const Descriptor& config, const std::string& referrer) {
    const std::string name = BlobPath(config.digest.algorithm(), config.digest.encoded());
    if (source_.Has(name) || !config.data) return ReadVerified(config, referrer).status();
    std::string bytes;
    if (!absl::Base64Unescape(*config.data, &bytes) ||
        DigestSink::Of(config.digest.algorithm(), bytes) != config.digest ||
        static_cast<int64_t>(bytes.size()) != config.size) {
      return absl::DataLossError(absl::StrCat(referrer, ": data does not match the digest and size"));
    }
    return absl::OkStatus();
  }

  absl::Status VerifyBlob(const Descriptor& d, const std::string& referrer) {
    const std::string name = BlobPath(d.digest.algorithm(), d.digest.encoded());
    absl::Status s = CheckSize(d, name, referrer);
    DigestSink hash(d.digest.algorithm());
    if (s.ok()) s = source_.Stream(name, &hash);
    if (s.ok()) s = hash.Finish();
    if (s.ok() && hash.digest() != d.digest) {
      return absl::DataLossError(absl::StrCat(source_.Describe(name), ": content hashes to ",
                                              hash.digest().ToString(), ", not its digest (", referrer, ")"));
    }
    if (s.ok()) Count(d.size);
    return s;
  }

  // An in-toto statement: an object with a _type, a predicateType and
  // subjects, one of which is the manifest's subject when it has one.
  static absl::Status CheckStatement(const std::string& bytes, const std::optional<Descriptor>& subject,
                                     const std::string& where) {
    absl::StatusOr<json::Value> v = json::Parse(bytes, where);
    if (!v.ok()) return v.status();
    std::optional<std::string> type, predicate_type;
    absl::Status s = json::RequireObject(*v, where);
    if (s.ok()) s = json::GetString(*v, where, "_type", &type);
    if (s.ok()) s = json::GetString(*v, where, "predicateType", &predicate_type);
    if (!s.ok()) return s;
    if (!type || !predicate_type) {
      return absl::InvalidArgumentError(where + ": an in-toto statement needs _type and predicateType");
    }
    const json::Value* subjects = v->Find("subject");
    if (subjects == nullptr || !subjects->is_array()) {
      return absl::InvalidArgumentError(where + ".subject: expected an array");
    }
    if (!subject) return absl::OkStatus();
    for (const json::Value& entry : subjects->items()) {
      const json::Value* digest = entry.is_object() ? entry.Find("digest") : nullptr;
      // In-toto keys a subject's digest by its algorithm's name.
      const json::Value* hex =
          digest != nullptr && digest->is_object() ? digest->Find(subject->digest.algorithm()) : nullptr;
      if (hex != nullptr && hex->is_string() && hex->text() == subject->digest.encoded()) return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(where, ": no subject is the attested manifest ",
                                                   subject->digest.ToString()));
  }

  absl::Status VerifyManifest(const Descriptor& d, const std::string& referrer) {
    absl::StatusOr<std::string> bytes = ReadVerified(d, referrer);
    if (!bytes.ok()) return bytes.status();
    const std::string where = source_.Describe(BlobPath(d.digest.algorithm(), d.digest.encoded()));
    absl::StatusOr<ImageManifest> m = ParseManifest(*bytes, d, where);
    if (!m.ok()) return m.status();
    const std::string self = "manifest " + d.digest.ToString();
    if (IsArtifact(*m)) return VerifyArtifact(*m, where);
    if (m->config.media_type != kOciConfig && m->config.media_type != kDockerConfig) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".config.mediaType: unknown \"",
                                                     m->config.media_type, "\""));
    }
    absl::StatusOr<std::string> config = ReadVerified(m->config, self + " config");
    if (!config.ok()) return config.status();
    absl::StatusOr<std::vector<Digest>> diff_ids =
        DiffIds(*config, source_.Describe(BlobPath(m->config.digest.algorithm(), m->config.digest.encoded())));
    if (!diff_ids.ok()) return diff_ids.status();
    if (diff_ids->size() != m->layers.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", m->layers.size(),
                                                     " layers but the config lists ", diff_ids->size(),
                                                     " rootfs.diff_ids"));
    }
    ++report_.manifests;
    for (size_t i = 0; i < m->layers.size(); ++i) {
      const Descriptor& layer = m->layers[i];
      const std::string layer_ref = absl::StrCat(self, " layers[", i, "]");
      absl::StatusOr<Compression> compression = LayerCompression(layer.media_type);
      if (!compression.ok()) {
        return WithContext(layer_ref, compression.status());
      }
      const std::string name = BlobPath(layer.digest.algorithm(), layer.digest.encoded());
      absl::Status s = CheckSize(layer, name, layer_ref);
      if (!s.ok()) return s;
      DigestSink blob_hash(layer.digest.algorithm());
      absl::StatusOr<Digest> diff_id =
          LayerDiffId(name, *compression, layer.digest, (*diff_ids)[i].algorithm(), &blob_hash);
      if (!diff_id.ok()) return diff_id.status();
      if (blob_hash.digest() != layer.digest) {
        return absl::DataLossError(absl::StrCat(source_.Describe(name), ": content hashes to ",
                                                blob_hash.digest().ToString(), ", not its digest (", layer_ref, ")"));
      }
      if (*diff_id != (*diff_ids)[i]) {
        return absl::DataLossError(absl::StrCat(source_.Describe(name), ": diffID ", diff_id->ToString(),
                                                " does not match rootfs.diff_ids[", i, "] ",
                                                (*diff_ids)[i].ToString(), " (", layer_ref, ")"));
      }
    }
    return absl::OkStatus();
  }

  const BlobSource& source_;
  const DecompressionLimits limits_;
  VerifyReport report_;
  std::set<std::string> verified_;
  std::set<std::string> in_progress_;
  std::map<std::string, std::string> subjects_;  // Artifact manifest -> its subject.
};

}  // namespace

absl::StatusOr<VerifyReport> Verify(const std::string& path, DecompressionLimits limits) {
  absl::StatusOr<std::unique_ptr<BlobSource>> source = OpenBlobSource(path);
  if (!source.ok()) return source.status();
  Verifier verifier(**source, limits);
  const bool has_index = (*source)->Has("index.json");
  const bool has_docker = (*source)->Has("manifest.json");
  if (!has_index && !has_docker) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": neither an OCI layout (index.json) nor a docker archive (manifest.json)"));
  }
  if (has_index) {
    absl::Status s = verifier.VerifyLayout();
    if (!s.ok()) return s;
  }
  if (has_docker) {
    absl::Status s = verifier.VerifyDockerManifest();
    if (!s.ok()) return s;
  }
  return verifier.report();
}

}  // namespace imagewriter
