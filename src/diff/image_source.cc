#include "src/diff/image_source.h"

#include <sys/stat.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/status.h"
#include "src/compress/compression.h"
#include "src/diff/blob_check.h"
#include "src/io/file.h"
#include "src/digest/digest_sink.h"
#include "src/json/fields.h"
#include "src/json/parser.h"
#include "src/oci/annotations.h"
#include "src/oci/media_types.h"

namespace imagewriter {
namespace {

struct Argument {
  std::string path, tag, digest;
};

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// "PATH", "PATH:TAG" or "PATH@DIGEST"; a path that exists wins.
Argument SplitArgument(const std::string& argument) {
  Argument out{argument, "", ""};
  if (Exists(argument)) return out;
  const size_t at = argument.rfind('@');
  if (at != std::string::npos && at > 0) {
    return Argument{argument.substr(0, at), "", argument.substr(at + 1)};
  }
  const size_t colon = argument.rfind(':');
  if (colon != std::string::npos && colon > 0 && argument.find('/', colon) == std::string::npos) {
    return Argument{argument.substr(0, colon), argument.substr(colon + 1), ""};
  }
  return out;
}

bool HasTag(const Descriptor& d, const std::string& tag) {
  auto ref = d.annotations.find(kAnnotationRefName);
  if (ref != d.annotations.end() && ref->second == tag) return true;
  auto name = d.annotations.find(kAnnotationContainerdName);
  return name != d.annotations.end() && absl::EndsWith(name->second, ":" + tag);
}

// A manifest or index blob named by digest, not listed in index.json.
absl::StatusOr<Descriptor> DescribeBlob(const BlobSource& source, const Digest& digest) {
  const std::string name = BlobPath(digest.algorithm(), digest.encoded());
  absl::StatusOr<std::string> bytes = source.ReadSmall(name);
  if (!bytes.ok()) return bytes.status();
  // Checked before it is parsed, so that a changed blob reads as that.
  absl::Status checked = CheckBytes(source, name, digest, *bytes);
  if (!checked.ok()) return checked;
  absl::StatusOr<json::Value> v = json::Parse(*bytes, source.Describe(name));
  if (!v.ok()) return v.status();
  std::optional<std::string> media_type;
  absl::Status s = json::RequireObject(*v, source.Describe(name));
  if (s.ok()) s = json::GetString(*v, source.Describe(name), "mediaType", &media_type);
  if (!s.ok()) return s;
  Descriptor d;
  d.digest = digest;
  d.size = static_cast<int64_t>(bytes->size());
  d.media_type = media_type.value_or(v->Find("manifests") != nullptr ? kOciIndex : kOciManifest);
  return d;
}

absl::StatusOr<Descriptor> SelectRoot(const BlobSource& source, const Argument& arg) {
  absl::StatusOr<std::vector<Descriptor>> roots = ReadLayoutIndex(source);
  if (!roots.ok()) return roots.status();
  if (!arg.digest.empty()) {
    absl::StatusOr<Digest> want = Digest::Parse(arg.digest);
    if (!want.ok()) return WithContext(absl::StrCat("\"@", arg.digest, "\""), want.status());
    for (const Descriptor& d : *roots) {
      if (d.digest == *want) return d;
    }
    return DescribeBlob(source, *want);
  }
  std::vector<Descriptor> matching;
  for (const Descriptor& d : *roots) {
    if (!arg.tag.empty() && !HasTag(d, arg.tag)) continue;
    bool seen = false;
    for (const Descriptor& m : matching) seen = seen || m.digest == d.digest;
    if (!seen) matching.push_back(d);
  }
  if (matching.size() == 1) return matching[0];
  const std::string index = source.Describe("index.json");
  if (matching.empty()) {
    return absl::NotFoundError(arg.tag.empty() ? index + ": lists no image"
                                               : absl::StrCat(index, ": no image tagged \"", arg.tag, "\""));
  }
  return absl::InvalidArgumentError(absl::StrCat(index, ": lists ", matching.size(),
                                                 " images; name one as PATH:TAG or PATH@DIGEST"));
}

// The digest a docker-archive file's name claims: "blobs/<algorithm>/<encoded>",
// as `docker save` names them since Docker 25. Older names ("<id>/layer.tar")
// claim none.
std::optional<Digest> NamedDigest(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 3 || parts[0] != "blobs") return std::nullopt;
  absl::StatusOr<Digest> d = Digest::Parse(absl::StrCat(parts[1], ":", parts[2]));
  if (!d.ok()) return std::nullopt;
  return *d;
}

// What a docker-archive file hashes to, from its bytes (`bytes`, or else
// streamed): no manifest names its digest, so its name is no evidence. A
// name that claims a digest must match it.
absl::StatusOr<Digest> FileDigest(const BlobSource& source, const std::string& name,
                                  const std::string* bytes = nullptr) {
  const std::optional<Digest> named = NamedDigest(name);
  DigestSink hash(named ? named->algorithm() : "sha256");
  absl::Status s = bytes != nullptr ? hash.Append(*bytes) : source.Stream(name, &hash);
  if (s.ok()) s = hash.Finish();
  if (s.ok() && named) s = CheckDigest(source, name, *named, hash.digest());
  if (!s.ok()) return s;
  return hash.digest();
}

absl::StatusOr<Descriptor> DockerLayer(const BlobSource& source, const std::string& name) {
  absl::StatusOr<std::string> magic = source.ReadPrefix(name, 4);
  if (!magic.ok()) return magic.status();
  absl::StatusOr<Digest> digest = FileDigest(source, name);
  if (!digest.ok()) return digest.status();
  const Compression c = DetectCompression(*magic);
  absl::StatusOr<std::string> media_type = LayerMediaType(MediaFlavor::kDocker, c);
  Descriptor d;
  d.media_type = media_type.ok() ? *media_type : *LayerMediaType(MediaFlavor::kOci, c);
  d.digest = *digest;
  absl::StatusOr<uint64_t> size = source.Size(name);
  if (!size.ok()) return size.status();
  d.size = static_cast<int64_t>(*size);
  return d;
}

// manifest.json's chosen item, as the Docker manifest `docker load` makes.
absl::StatusOr<ImageNode> LoadDockerManifest(const BlobSource& source, const std::string& tag) {
  const std::string where = source.Describe("manifest.json");
  absl::StatusOr<std::string> text = source.ReadSmall("manifest.json");
  if (!text.ok()) return text.status();
  absl::StatusOr<json::Value> v = json::Parse(*text, where);
  if (!v.ok()) return v.status();
  if (!v->is_array() || v->items().empty()) {
    return absl::InvalidArgumentError(where + ": expected a non-empty array of images");
  }
  ImageNode node;
  node.where = where;
  for (size_t i = 0; i < v->items().size() && node.config_name.empty(); ++i) {
    const json::Value& item = v->items()[i];
    const std::string item_where = absl::StrCat(where, "[", i, "]");
    std::optional<std::string> config;
    std::optional<std::vector<std::string>> layers, tags;
    absl::Status s = json::RequireObject(item, item_where);
    if (s.ok()) s = json::GetString(item, item_where, "Config", &config);
    if (s.ok()) s = json::GetStringArray(item, item_where, "Layers", &layers);
    if (s.ok()) s = json::GetStringArray(item, item_where, "RepoTags", &tags);
    if (!s.ok()) return s;
    bool tagged = tag.empty();
    for (const std::string& t : tags.value_or(std::vector<std::string>{})) {
      tagged = tagged || absl::EndsWith(t, ":" + tag);
    }
    if (!tagged) continue;
    if (!config) return absl::InvalidArgumentError(item_where + ".Config: required");
    node.config_name = *config;
    node.layer_names = layers.value_or(std::vector<std::string>{});
  }
  if (node.config_name.empty()) {
    return absl::NotFoundError(absl::StrCat(where, ": no image tagged \"", tag, "\""));
  }
  return node;
}

// Fills in the Docker manifest a manifest.json item stands for.
absl::Status DescribeDockerNode(const BlobSource& source, ImageNode* node) {
  std::vector<std::string> names = node->layer_names;
  names.push_back(node->config_name);
  for (const std::string& name : names) {
    if (!StaysInside(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(node->where, ": \"", name, "\" is not inside the archive"));
    }
  }
  absl::StatusOr<std::string> config = source.ReadSmall(node->config_name);
  if (!config.ok()) return config.status();
  absl::StatusOr<Digest> config_digest = FileDigest(source, node->config_name, &*config);
  if (!config_digest.ok()) return config_digest.status();
  node->manifest.config.media_type = kDockerConfig;
  node->manifest.config.digest = *config_digest;
  node->manifest.config.size = static_cast<int64_t>(config->size());
  json::Value layers = json::Value::Array();
  for (const std::string& name : node->layer_names) {
    absl::StatusOr<Descriptor> layer = DockerLayer(source, name);
    if (!layer.ok()) return layer.status();
    layers.Append(layer->ToJson());
    node->manifest.layers.push_back(*std::move(layer));
  }
  node->document = json::Value::Object({{"schemaVersion", json::Value::Int(2)},
                                        {"mediaType", json::Value::String(kDockerManifest)},
                                        {"config", node->manifest.config.ToJson()},
                                        {"layers", std::move(layers)}});
  return absl::OkStatus();
}

}  // namespace

std::optional<Digest> ReferencedDigest(const Descriptor& d) {
  if (!IsAttestationEntry(d)) return std::nullopt;
  auto ref = d.annotations.find(kAnnotationReferenceDigest);
  if (ref == d.annotations.end()) return std::nullopt;
  absl::StatusOr<Digest> digest = Digest::Parse(ref->second);
  if (!digest.ok()) return std::nullopt;
  return *digest;
}

absl::StatusOr<ImageNode> LoadNode(const BlobSource& source, const Descriptor& d) {
  const std::string name = BlobPath(d.digest.algorithm(), d.digest.encoded());
  ImageNode node;
  node.where = source.Describe(name);
  absl::StatusOr<std::string> bytes = source.ReadSmall(name);
  if (!bytes.ok()) return bytes.status();
  absl::Status checked = CheckBytes(source, name, d.digest, *bytes);
  if (!checked.ok()) return checked;
  absl::StatusOr<json::Value> v = json::Parse(*bytes, node.where);
  if (!v.ok()) return v.status();
  node.document = *std::move(v);
  node.is_index = IsIndexMediaType(d.media_type);
  if (node.is_index) {
    absl::StatusOr<std::vector<Descriptor>> children = ParseIndex(*bytes, node.where);
    if (!children.ok()) return children.status();
    node.children = *std::move(children);
    return node;
  }
  if (!IsManifestMediaType(d.media_type)) {
    return absl::InvalidArgumentError(absl::StrCat(node.where, ": media type \"", d.media_type,
                                                   "\" is neither a manifest nor an index"));
  }
  absl::StatusOr<ImageManifest> m = ParseManifest(*bytes, d, node.where);
  if (!m.ok()) return m.status();
  node.manifest = *std::move(m);
  node.config_name = BlobPath(node.manifest.config.digest.algorithm(), node.manifest.config.digest.encoded());
  for (const Descriptor& layer : node.manifest.layers) {
    node.layer_names.push_back(BlobPath(layer.digest.algorithm(), layer.digest.encoded()));
  }
  if (node.manifest.subject) {
    node.attests = node.manifest.subject->digest;
  } else {
    node.attests = ReferencedDigest(d);
  }
  return node;
}

absl::StatusOr<DiffSide> OpenDiffSide(const std::string& argument) {
  const Argument arg = SplitArgument(argument);
  absl::Status kind = RequireFileOrDirectory(arg.path);
  if (!kind.ok()) return kind;
  absl::StatusOr<std::unique_ptr<BlobSource>> source = OpenBlobSource(arg.path);
  if (!source.ok()) return source.status();
  DiffSide side;
  side.label = argument;
  side.source = *std::move(source);
  if (!side.source->Has("index.json") && side.source->Has("manifest.json")) {
    if (!arg.digest.empty()) {
      return absl::InvalidArgumentError(
          argument + ": a docker-archive without index.json has no digests to choose by");
    }
    absl::StatusOr<ImageNode> node = LoadDockerManifest(*side.source, arg.tag);
    if (!node.ok()) return node.status();
    side.root = *std::move(node);
    absl::Status s = DescribeDockerNode(*side.source, &side.root);
    if (!s.ok()) return s;
    return side;
  }
  absl::Status layout = CheckLayoutFile(*side.source);
  if (!layout.ok()) return layout;
  absl::StatusOr<Descriptor> root = SelectRoot(*side.source, arg);
  if (!root.ok()) return root.status();
  absl::StatusOr<ImageNode> node = LoadNode(*side.source, *root);
  if (!node.ok()) return node.status();
  side.root = *std::move(node);
  return side;
}

}  // namespace imagewriter
