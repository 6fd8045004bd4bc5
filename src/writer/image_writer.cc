#include "src/writer/image_writer.h"

#include "absl/strings/str_cat.h"
#include "src/estargz/toc.h"
#include "src/json/writer.h"
#include "src/oci/annotations.h"
#include "src/oci/reference.h"
#include "src/writer/config_patch.h"
#include "src/writer/layer_annotations.h"

namespace imagewriter {
namespace {

constexpr char kBaseLayerCreatedBy[] = "imagewriter: base layer without history";

// org.opencontainers.image.base.* from what is known of the base.
std::map<std::string, std::string> BaseAnnotations(const std::optional<BaseImage>& base) {
  std::map<std::string, std::string> out;
  if (!base || !base->descriptor) return out;
  const Descriptor& d = *base->descriptor;
  out["org.opencontainers.image.base.digest"] = d.digest.ToString();
  auto name = d.annotations.find(kAnnotationContainerdName);
  if (name == d.annotations.end()) {
    // A ref.name that is a full reference (not just a tag) names the base too.
    name = d.annotations.find(kAnnotationRefName);
    if (name != d.annotations.end()) {
      absl::StatusOr<Reference> ref = ParseReference(name->second);
      if (!ref.ok() || ref->path.empty() || ref->tag.empty()) name = d.annotations.end();
    }
  }
  if (name != d.annotations.end()) out["org.opencontainers.image.base.name"] = name->second;
  return out;
}

Platform ResolvePlatform(const ImageSpec& spec) {
  if (spec.platform) return *spec.platform;
  if (spec.base && spec.base->platform) return *spec.base->platform;
  return *Platform::Parse("linux/amd64");
}

// The base's config, or the empty one, for `platform` and with the
// fragments applied.
absl::StatusOr<json::Value> StartConfig(const ImageSpec& spec, const Platform& platform) {
  json::Value config = spec.base ? spec.base->config : EmptyImageConfig(platform);
  config.Set("architecture", json::Value::String(platform.architecture));
  config.Set("os", json::Value::String(platform.os));
  if (platform.variant.empty()) {
    config.Remove("variant");
  } else {
    config.Set("variant", json::Value::String(platform.variant));
  }
  absl::Status s = ApplyConfigFragments(spec.fragment, &config);
  if (!s.ok()) return s;
  return config;
}

// The time of new layers' history entries when a layer gives none, and of
// base layers without history: explicit created > SOURCE_DATE_EPOCH > 1970.
// (BuildKit uses the time the layer was made; clamping comes later, in
// PatchImageConfig, as in BuildKit.)
Timestamp DefaultTime(const ImageSpec& spec) {
  if (spec.created) return *spec.created;
  if (spec.source_date_epoch) return *spec.source_date_epoch;
  return Timestamp::FromUnixSeconds(0);
}

// The base's layers and history, then the new ones, normalised.
NormalizedHistory CollectLayersAndHistory(ImageSpec* spec, Timestamp default_time) {
  std::vector<ImageLayer> layers;
  std::vector<History> history;
  if (spec->base) {
    layers = std::move(spec->base->layers);
    history = spec->base->history;  // Copied: PatchImageConfig compares with it.
  }
  for (ImageLayer& layer : layers) {
    layer.metadata = LayerMetadata{kBaseLayerCreatedBy, "", default_time};
    layer.descriptor.annotations = BaseLayerAnnotations(layer.descriptor.annotations);
  }
  for (History& h : spec->history) history.push_back(std::move(h));
  for (ImageLayer& layer : spec->layers) {
    layer.metadata.created = layer.metadata.created.value_or(default_time);
    layers.push_back(std::move(layer));
  }
  return NormalizeLayersAndHistory(std::move(layers), std::move(history),
                                   spec->drop_empty_gzip_layers);
}

// A new layer written as eStargz (it carries the TOC digest annotation) in
// an image with Docker media types is refused, as BuildKit refuses
// compression=estargz with oci-mediatypes=false. A base image's layers are
// whatever they are: only this build's compression is checked.
absl::Status CheckEstargzMediaTypes(const ImageSpec& spec) {
  if (spec.flavor != MediaFlavor::kDocker) return absl::OkStatus();
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    if (spec.layers[i].descriptor.annotations.count(estargz::kTocDigestAnnotation) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "layer ", i, " (", spec.layers[i].descriptor.digest.ToString(), "): ", kEstargzNeedsOci));
    }
  }
  return absl::OkStatus();
}

// The manifest's layer descriptors, in the flavour's media types and with
// the annotations BuildKit lets through (layer_annotations.h), and the
// layers' diffIDs.
absl::Status ManifestLayers(std::vector<ImageLayer>* layers, MediaFlavor flavor,
                            std::vector<json::Value>* descriptors, std::vector<Digest>* diff_ids) {
  for (size_t i = 0; i < layers->size(); ++i) {
    ImageLayer& layer = (*layers)[i];
    absl::StatusOr<Compression> compression = LayerCompression(layer.descriptor.media_type);
    absl::StatusOr<std::string> media_type =
        compression.ok() ? LayerMediaType(flavor, *compression)
                         : absl::StatusOr<std::string>(compression.status());
    if (!media_type.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("layer ", i, " (",
                                                     layer.descriptor.digest.ToString(),
                                                     "): ", media_type.status().message()));
    }
    layer.descriptor.media_type = *media_type;
    layer.descriptor.annotations = ManifestLayerAnnotations(layer.descriptor.annotations, flavor);
    layer.descriptor.platform.reset();
    diff_ids->push_back(layer.diff_id);
    descriptors->push_back(layer.descriptor.ToJson());
  }
  return absl::OkStatus();
}

std::string ManifestJson(const ImageSpec& spec, const Descriptor& config,
                         std::vector<json::Value> layers) {
  json::Value manifest = json::Value::Object();
  manifest.Set("schemaVersion", json::Value::Int(2));
  manifest.Set("mediaType", json::Value::String(ManifestMediaType(spec.flavor)));
  manifest.Set("config", config.ToJson());
  manifest.Set("layers", json::Value::Array(std::move(layers)));
  std::map<std::string, std::string> annotations = BaseAnnotations(spec.base);
  for (const auto& [key, value] : spec.annotations) annotations[key] = value;
  if (!annotations.empty()) {
    manifest.Set("annotations", json::Value::SortedObject(annotations));
  }
  return json::Indent(manifest);
}

Descriptor DescriptorOf(const std::string& media_type, const std::string& bytes) {
  Descriptor d;
  d.media_type = media_type;
  d.digest = Digest::Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

}  // namespace

absl::StatusOr<ImageOutput> BuildImage(ImageSpec spec) {
  absl::Status s = CheckEstargzMediaTypes(spec);
  if (!s.ok()) return s;
  const Platform platform = ResolvePlatform(spec);
  absl::StatusOr<json::Value> config = StartConfig(spec, platform);
  if (!config.ok()) return config.status();
  NormalizedHistory normalized = CollectLayersAndHistory(&spec, DefaultTime(spec));

  ImageOutput out;
  out.warnings = std::move(normalized.warnings);
  std::vector<json::Value> layer_descriptors;
  ConfigPatch patch;
  s = ManifestLayers(&normalized.layers, spec.flavor, &layer_descriptors, &patch.diff_ids);
  if (!s.ok()) return s;
  patch.history = std::move(normalized.history);
  if (spec.base) patch.base_history = std::move(spec.base->history);
  patch.epoch = spec.source_date_epoch;
  patch.clamp_base_history = spec.clamp_base_history;
  patch.created = spec.created;
  absl::StatusOr<std::string> config_bytes = PatchImageConfig(*std::move(config), std::move(patch));
  if (!config_bytes.ok()) return config_bytes.status();
  out.config = *std::move(config_bytes);
  out.config_descriptor = DescriptorOf(ConfigMediaType(spec.flavor), out.config);
  out.manifest = ManifestJson(spec, out.config_descriptor, std::move(layer_descriptors));
  out.manifest_descriptor = DescriptorOf(ManifestMediaType(spec.flavor), out.manifest);
  out.manifest_descriptor.platform = platform;
  return out;
}

}  // namespace imagewriter
