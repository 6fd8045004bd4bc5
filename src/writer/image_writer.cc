#include "src/writer/image_writer.h"

#include "absl/strings/str_cat.h"
#include "src/json/fields.h"
#include "src/json/writer.h"
#include "src/oci/annotations.h"
#include "src/oci/reference.h"
#include "src/writer/config_patch.h"

namespace imagewriter {
namespace {

// Pairs the base manifest's layers with the base config's diff_ids.
absl::StatusOr<std::vector<ImageLayer>> BaseLayers(const ImageSpec& spec) {
  std::vector<ImageLayer> out;
  if (!spec.base_config) {
    if (!spec.base_layers.empty()) {
      return absl::InvalidArgumentError("base layers given without a base config");
    }
    return out;
  }
  std::vector<std::string> diff_ids;
  if (const json::Value* rootfs = spec.base_config->Find("rootfs");
      rootfs != nullptr && !rootfs->is_null()) {
    absl::Status s = json::RequireObject(*rootfs, "base config.rootfs");
    if (!s.ok()) return s;
    std::optional<std::vector<std::string>> ids;
    s = json::GetStringArray(*rootfs, "base config.rootfs", "diff_ids", &ids);
    if (!s.ok()) return s;
    if (ids) diff_ids = *ids;
  }
  if (diff_ids.size() != spec.base_layers.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base config lists ", diff_ids.size(), " rootfs.diff_ids but the base manifest has ",
        spec.base_layers.size(), " layers; they must match one to one"));
  }
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    absl::StatusOr<Digest> d = Digest::Parse(diff_ids[i]);
    if (!d.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "base config.rootfs.diff_ids[", i, "]: ", d.status().message()));
    }
    ImageLayer layer;
    layer.descriptor = spec.base_layers[i];
    layer.diff_id = *d;
    layer.metadata.created_by = "imagewriter: base layer without history";
    out.push_back(std::move(layer));
  }
  return out;
}

// org.opencontainers.image.base.* from what is known of the base.
std::map<std::string, std::string> BaseAnnotations(const std::optional<Descriptor>& base) {
  std::map<std::string, std::string> out;
  if (!base) return out;
  out["org.opencontainers.image.base.digest"] = base->digest.ToString();
  auto name = base->annotations.find(kAnnotationContainerdName);
  if (name == base->annotations.end()) {
    // A ref.name that is a full reference (not just a tag) names the base too.
    name = base->annotations.find(kAnnotationRefName);
    if (name != base->annotations.end()) {
      absl::StatusOr<Reference> ref = ParseReference(name->second);
      if (!ref.ok() || ref->path.empty() || ref->tag.empty()) name = base->annotations.end();
    }
  }
  if (name != base->annotations.end()) out["org.opencontainers.image.base.name"] = name->second;
  return out;
}

absl::StatusOr<Platform> ResolvePlatform(const ImageSpec& spec) {
  if (spec.platform) return *spec.platform;
  if (spec.base_config) {
    std::optional<std::string> os, arch, variant;
    for (absl::Status s : {json::GetString(*spec.base_config, "base config", "os", &os),
                           json::GetString(*spec.base_config, "base config", "architecture", &arch),
                           json::GetString(*spec.base_config, "base config", "variant", &variant)}) {
      if (!s.ok()) return s;
    }
    if (os && arch) {
      Platform p;
      p.os = *os;
      p.architecture = *arch;
      p.variant = variant.value_or("");
      absl::Status s = p.Validate("base config platform");
      if (!s.ok()) return s;
      return p;
    }
  }
  return *Platform::Parse("linux/amd64");
}

}  // namespace

absl::StatusOr<ImageOutput> BuildImage(ImageSpec spec) {
  ImageOutput out;
  absl::StatusOr<std::vector<ImageLayer>> layers = BaseLayers(spec);
  if (!layers.ok()) return layers.status();
  absl::StatusOr<Platform> platform = ResolvePlatform(spec);
  if (!platform.ok()) return platform.status();

  json::Value config = spec.base_config ? *spec.base_config : EmptyImageConfig(*platform);
  absl::Status status = json::RequireObject(config, "base config");
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<History>> history = HistoryFromConfig(config, "base config");
  if (!history.ok()) return history.status();

  config.Set("architecture", json::Value::String(platform->architecture));
  config.Set("os", json::Value::String(platform->os));
  if (platform->variant.empty()) {
    config.Remove("variant");
  } else {
    config.Set("variant", json::Value::String(platform->variant));
  }
  status = ApplyConfigFragments(spec.fragment, &config);
  if (!status.ok()) return status;

  const Timestamp created = spec.created   ? *spec.created
                            : spec.source_date_epoch ? *spec.source_date_epoch
                                                     : Timestamp::FromUnixSeconds(0);
  config.Set("created", json::Value::String(created.Format()));

  // New history: never later than SOURCE_DATE_EPOCH when it is set.
  auto clamp = [&](Timestamp t) {
    return spec.source_date_epoch && *spec.source_date_epoch < t ? *spec.source_date_epoch : t;
  };
  for (History& h : spec.history) {
    if (h.created) h.created = clamp(*h.created);
    history->push_back(std::move(h));
  }
  for (ImageLayer& layer : *layers) layer.metadata.created = clamp(created);
  for (ImageLayer& layer : spec.layers) {
    layer.metadata.created = clamp(layer.metadata.created.value_or(created));
    layers->push_back(std::move(layer));
  }

  NormalizedHistory normalized = NormalizeLayersAndHistory(
      std::move(*layers), std::move(*history), spec.drop_empty_gzip_layers);
  out.warnings = std::move(normalized.warnings);

  std::vector<Digest> diff_ids;
  std::vector<json::Value> manifest_layers;
  for (size_t i = 0; i < normalized.layers.size(); ++i) {
    ImageLayer& layer = normalized.layers[i];
    absl::StatusOr<Compression> compression = LayerCompression(layer.descriptor.media_type);
    absl::StatusOr<std::string> media_type =
        compression.ok() ? LayerMediaType(spec.flavor, *compression)
                         : absl::StatusOr<std::string>(compression.status());
    if (!media_type.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("layer ", i, " (",
                                                     layer.descriptor.digest.ToString(),
                                                     "): ", media_type.status().message()));
    }
    layer.descriptor.media_type = *media_type;
    layer.descriptor.platform.reset();
    diff_ids.push_back(layer.diff_id);
    manifest_layers.push_back(layer.descriptor.ToJson());
  }

  out.config = PatchImageConfig(std::move(config), diff_ids, normalized.history);
  out.config_descriptor.media_type = ConfigMediaType(spec.flavor);
  out.config_descriptor.digest = Digest::Sha256Of(out.config);
  out.config_descriptor.size = static_cast<int64_t>(out.config.size());

  json::Value manifest = json::Value::Object();
  manifest.Set("schemaVersion", json::Value::Int(2));
  manifest.Set("mediaType", json::Value::String(ManifestMediaType(spec.flavor)));
  manifest.Set("config", out.config_descriptor.ToJson());
  manifest.Set("layers", json::Value::Array(std::move(manifest_layers)));
  std::map<std::string, std::string> annotations = BaseAnnotations(spec.base_descriptor);
  for (const auto& [key, value] : spec.annotations) annotations[key] = value;
  if (!annotations.empty()) {
    manifest.Set("annotations", json::Value::SortedObject(annotations));
  }
  out.manifest = json::Indent(manifest);
  out.manifest_descriptor.media_type = ManifestMediaType(spec.flavor);
  out.manifest_descriptor.digest = Digest::Sha256Of(out.manifest);
  out.manifest_descriptor.size = static_cast<int64_t>(out.manifest.size());
  out.manifest_descriptor.platform = *platform;
  return out;
}

}  // namespace imagewriter
