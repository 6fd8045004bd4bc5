#include "src/layout/image_reader.h"

#include "absl/strings/str_cat.h"
#include "src/json/fields.h"
#include "src/json/parser.h"
#include "src/oci/media_types.h"

namespace imagewriter {
namespace {

std::string DefaultVariant(const Platform& p) {
  if (!p.variant.empty()) return p.variant;
  if (p.architecture == "arm64") return "v8";
  if (p.architecture == "arm") return "v7";
  return "";
}

absl::StatusOr<std::vector<Descriptor>> DescriptorList(const json::Value& v, const std::string& where,
                                                       const char* key) {
  absl::Status s = json::RequireObject(v, where);
  if (!s.ok()) return s;
  std::vector<Descriptor> out;
  const json::Value* list = v.Find(key);
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return json::TypeError(where, key, "an array", *list);
  for (size_t i = 0; i < list->items().size(); ++i) {
    absl::StatusOr<Descriptor> d =
        Descriptor::FromJson(list->items()[i], absl::StrCat(where, ".", key, "[", i, "]"));
    if (!d.ok()) return d.status();
    out.push_back(*std::move(d));
  }
  return out;
}

}  // namespace

bool IsManifestMediaType(absl::string_view t) { return t == kOciManifest || t == kDockerManifest; }
bool IsIndexMediaType(absl::string_view t) { return t == kOciIndex || t == kDockerManifestList; }

bool PlatformMatches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  return want.variant.empty() || DefaultVariant(want) == DefaultVariant(have);
}

absl::StatusOr<std::vector<Descriptor>> ReadLayoutIndex(const BlobSource& source) {
  absl::StatusOr<std::string> bytes = source.ReadSmall("index.json");
  if (!bytes.ok()) return bytes.status();
  return ParseIndex(*bytes, source.Describe("index.json"));
}

absl::StatusOr<std::vector<Descriptor>> ParseIndex(const std::string& bytes,
                                                   const std::string& where) {
  absl::StatusOr<json::Value> v = json::Parse(bytes, where);
  if (!v.ok()) return v.status();
  return DescriptorList(*v, where, "manifests");
}

absl::StatusOr<ImageManifest> ParseManifest(const std::string& bytes, const Descriptor& descriptor,
                                            const std::string& where) {
  absl::StatusOr<json::Value> v = json::Parse(bytes, where);
  if (!v.ok()) return v.status();
  absl::Status s = json::RequireObject(*v, where);
  if (!s.ok()) return s;
  const json::Value* config = v->Find("config");
  if (config == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, ".config: required"));
  ImageManifest m;
  m.descriptor = descriptor;
  m.bytes = bytes;
  absl::StatusOr<Descriptor> c = Descriptor::FromJson(*config, where + ".config");
  if (!c.ok()) return c.status();
  m.config = *std::move(c);
  absl::StatusOr<std::vector<Descriptor>> layers = DescriptorList(*v, where, "layers");
  if (!layers.ok()) return layers.status();
  m.layers = *std::move(layers);
  return m;
}

absl::StatusOr<ImageManifest> ResolveImage(const BlobSource& source, const Descriptor& root,
                                           const std::optional<Platform>& platform) {
  Descriptor current = root;
  for (int depth = 0; depth <= kMaxIndexDepth; ++depth) {
    const std::string name = BlobPath(current.digest.algorithm(), current.digest.encoded());
    absl::StatusOr<std::string> bytes = source.ReadSmall(name);
    if (!bytes.ok()) return bytes.status();
    if (Digest::Sha256Of(*bytes) != current.digest) {
      return absl::DataLossError(absl::StrCat(source.Describe(name),
                                              ": content does not match its digest"));
    }
    if (IsManifestMediaType(current.media_type)) {
      return ParseManifest(*bytes, current, source.Describe(name));
    }
    if (!IsIndexMediaType(current.media_type)) {
      return absl::InvalidArgumentError(absl::StrCat(source.Describe(name), ": media type \"",
                                                     current.media_type,
                                                     "\" is neither a manifest nor an index"));
    }
    absl::StatusOr<std::vector<Descriptor>> children = ParseIndex(*bytes, source.Describe(name));
    if (!children.ok()) return children.status();
    const Descriptor* chosen = nullptr;
    std::string available;
    for (const Descriptor& child : *children) {
      if (child.platform) absl::StrAppend(&available, available.empty() ? "" : ", ", child.platform->ToString());
      if (platform ? (child.platform && PlatformMatches(*platform, *child.platform))
                   : children->size() == 1) {
        chosen = &child;
        break;
      }
    }
    if (chosen == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          source.Describe(name), platform ? absl::StrCat(": no manifest for platform ", platform->ToString())
                                          : std::string(": is a multi-platform index; choose a platform"),
          " (available: ", available.empty() ? "none" : available, ")"));
    }
    current = *chosen;
  }
  return absl::InvalidArgumentError(absl::StrCat("image index nesting deeper than ", kMaxIndexDepth,
                                                 " levels (or a cycle) under ",
                                                 root.digest.ToString()));
}

namespace {

absl::Status Reach(const BlobSource& source, const Descriptor& d, int depth,
                   std::map<std::string, Descriptor>* out) {
  if (depth > kMaxIndexDepth) {
    return absl::InvalidArgumentError(absl::StrCat("index nesting deeper than ", kMaxIndexDepth,
                                                   " levels (or a cycle) at ", d.digest.ToString()));
  }
  const std::string name = BlobPath(d.digest.algorithm(), d.digest.encoded());
  (*out)[name] = d;
  if (!IsIndexMediaType(d.media_type) && !IsManifestMediaType(d.media_type)) return absl::OkStatus();
  absl::StatusOr<std::string> bytes = source.ReadSmall(name);
  if (!bytes.ok()) return bytes.status();
  if (IsIndexMediaType(d.media_type)) {
    absl::StatusOr<std::vector<Descriptor>> children = ParseIndex(*bytes, source.Describe(name));
    if (!children.ok()) return children.status();
    for (const Descriptor& child : *children) {
      absl::Status s = Reach(source, child, depth + 1, out);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<ImageManifest> m = ParseManifest(*bytes, d, source.Describe(name));
  if (!m.ok()) return m.status();
  (*out)[BlobPath(m->config.digest.algorithm(), m->config.digest.encoded())] = m->config;
  for (const Descriptor& layer : m->layers) {
    (*out)[BlobPath(layer.digest.algorithm(), layer.digest.encoded())] = layer;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReachableBlobs(const BlobSource& source, const Descriptor& root,
                            std::map<std::string, Descriptor>* out) {
  return Reach(source, root, 0, out);
}

}  // namespace imagewriter
