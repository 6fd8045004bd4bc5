#include "src/layout/image_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/digest/digest_sink.h"
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

// Manifests and indexes must say schemaVersion 2, the only version of
// either format: Docker and containerd refuse anything else (a missing
// member reads as 0 in Go, so it is refused too).
absl::Status CheckSchemaVersion(const json::Value& v, const std::string& where) {
  std::optional<int64_t> version;
  absl::Status s = json::GetInt64(v, where, "schemaVersion", &version);
  if (!s.ok()) return s;
  if (!version) return absl::InvalidArgumentError(where + ".schemaVersion: required, must be 2");
  if (*version != 2) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".schemaVersion: ", *version, ", must be 2"));
  }
  return absl::OkStatus();
}

// A manifest need not say its media type, but one that does must say it is
// an image manifest: an index, say, is not one.
absl::Status CheckManifestMediaType(const json::Value& v, const std::string& where) {
  std::optional<std::string> media_type;
  absl::Status s = json::GetString(v, where, "mediaType", &media_type);
  if (!s.ok() || !media_type || IsManifestMediaType(*media_type)) return s;
  return absl::InvalidArgumentError(
      absl::StrCat(where, ".mediaType: \"", *media_type, "\" is not an image manifest"));
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

// A single-platform image asked for with a platform must be for that
// platform, as `docker pull --platform` insists: used silently, an amd64
// base would end up in an image labelled arm64. The config says which
// platform the image is for.
absl::Status CheckConfigPlatform(const BlobSource& source, const Descriptor& config,
                                 const Platform& want) {
  const std::string name = BlobPath(config.digest.algorithm(), config.digest.encoded());
  absl::StatusOr<std::string> bytes = source.ReadSmall(name);
  if (!bytes.ok()) return bytes.status();
  const std::string where = source.Describe(name);
  absl::StatusOr<json::Value> v = json::Parse(*bytes, where);
  if (!v.ok()) return v.status();
  std::optional<std::string> os, arch, variant;
  absl::Status s = json::RequireObject(*v, where);
  if (s.ok()) s = json::GetString(*v, where, "os", &os);
  if (s.ok()) s = json::GetString(*v, where, "architecture", &arch);
  if (s.ok()) s = json::GetString(*v, where, "variant", &variant);
  if (!s.ok()) return s;
  Platform have;
  have.os = os.value_or("");
  have.architecture = arch.value_or("");
  have.variant = variant.value_or("");
  if (PlatformMatches(want, have)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat(
      where, ": a single-platform image for ",
      have.os.empty() && have.architecture.empty() ? "no declared platform" : have.ToString(),
      ", not ", want.ToString(), " as requested"));
}

}  // namespace

bool IsManifestMediaType(absl::string_view t) { return t == kOciManifest || t == kDockerManifest; }
bool IsIndexMediaType(absl::string_view t) { return t == kOciIndex || t == kDockerManifestList; }

bool PlatformMatches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  return want.variant.empty() || DefaultVariant(want) == DefaultVariant(have);
}

absl::Status CheckLayoutFile(const BlobSource& source) {
  const std::string where = source.Describe("oci-layout");
  if (!source.Has("oci-layout")) {
    return absl::InvalidArgumentError(
        where + ": missing; an OCI layout needs it (with imageLayoutVersion \"1.0.0\")");
  }
  absl::StatusOr<std::string> text = source.ReadSmall("oci-layout", 4096);
  if (!text.ok()) return text.status();
  absl::StatusOr<json::Value> v = json::Parse(*text, where);
  if (!v.ok()) return v.status();
  std::optional<std::string> version;
  absl::Status s = json::RequireObject(*v, where);
  if (s.ok()) s = json::GetString(*v, where, "imageLayoutVersion", &version);
  if (!s.ok()) return s;
  if (version != "1.0.0") {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".imageLayoutVersion: ", version ? absl::StrCat("\"", *version, "\"") : "missing",
        ", must be \"1.0.0\""));
  }
  return absl::OkStatus();
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
  absl::Status s = json::RequireObject(*v, where);
  if (s.ok()) s = CheckSchemaVersion(*v, where);
  if (!s.ok()) return s;
  return DescriptorList(*v, where, "manifests");
}

absl::StatusOr<ImageManifest> ParseManifest(const std::string& bytes, const Descriptor& descriptor,
                                            const std::string& where) {
  absl::StatusOr<json::Value> v = json::Parse(bytes, where);
  if (!v.ok()) return v.status();
  absl::Status s = json::RequireObject(*v, where);
  if (s.ok()) s = CheckSchemaVersion(*v, where);
  if (s.ok()) s = CheckManifestMediaType(*v, where);
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
  std::optional<std::string> artifact_type;
  s = json::GetString(*v, where, "artifactType", &artifact_type);
  if (!s.ok()) return s;
  m.artifact_type = artifact_type.value_or("");
  if (const json::Value* subject = v->Find("subject"); subject != nullptr && !subject->is_null()) {
    absl::StatusOr<Descriptor> d = Descriptor::FromJson(*subject, where + ".subject");
    if (!d.ok()) return d.status();
    m.subject = *std::move(d);
  }
  return m;
}

absl::StatusOr<ImageManifest> ResolveImage(const BlobSource& source, const Descriptor& root,
                                           const std::optional<Platform>& platform) {
  Descriptor current = root;
  for (int depth = 0; depth <= kMaxIndexDepth; ++depth) {
    const std::string name = BlobPath(current.digest.algorithm(), current.digest.encoded());
    absl::StatusOr<std::string> bytes = source.ReadSmall(name);
    if (!bytes.ok()) return bytes.status();
    if (DigestSink::Of(current.digest.algorithm(), *bytes) != current.digest) {
      return absl::DataLossError(absl::StrCat(source.Describe(name),
                                              ": content does not match its digest"));
    }
    if (IsManifestMediaType(current.media_type)) {
      absl::StatusOr<ImageManifest> m = ParseManifest(*bytes, current, source.Describe(name));
      // Below an index, the index entry's platform was the one asked for.
      if (m.ok() && platform && depth == 0) {
        absl::Status s = CheckConfigPlatform(source, m->config, *platform);
        if (!s.ok()) return s;
      }
      return m;
    }
    if (!IsIndexMediaType(current.media_type)) {
      return absl::InvalidArgumentError(absl::StrCat(source.Describe(name), ": media type \"",
                                                     current.media_type,
                                                     "\" is neither a manifest nor an index"));
    }
    absl::StatusOr<std::vector<Descriptor>> children = ParseIndex(*bytes, source.Describe(name));
    if (!children.ok()) return children.status();
    // Attestation manifests (unknown/unknown) are not images to choose.
    children->erase(std::remove_if(children->begin(), children->end(), IsAttestationEntry), children->end());
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
