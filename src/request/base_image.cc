#include "src/request/base_image.h"

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/digest/digest_sink.h"
#include "src/io/file.h"
#include "src/json/fields.h"
#include "src/json/parser.h"
#include "src/layout/descriptor_file.h"
#include "src/layout/image_reader.h"

namespace imagewriter {
namespace {

// The platform the config names, if it names an os and an architecture.
absl::StatusOr<std::optional<Platform>> ConfigPlatform(const json::Value& config,
                                                      const std::string& where) {
  std::optional<std::string> os, arch, variant;
  for (absl::Status s : {json::GetString(config, where, "os", &os),
                         json::GetString(config, where, "architecture", &arch),
                         json::GetString(config, where, "variant", &variant)}) {
    if (!s.ok()) return s;
  }
  if (!os || !arch) return std::optional<Platform>();
  Platform p;
  p.os = *os;
  p.architecture = *arch;
  p.variant = variant.value_or("");
  absl::Status s = p.Validate(absl::StrCat("platform of the base config ", where));
  if (!s.ok()) return s;
  return std::optional<Platform>(p);
}

// `created`, when set, must be a time: BuildKit's patchImageConfig parses
// it (and refuses the config otherwise) to clamp it to the epoch.
absl::Status CheckCreated(const json::Value& config, const std::string& where) {
  std::optional<std::string> created;
  absl::Status s = json::GetString(config, where, "created", &created);
  if (!s.ok() || !created) return s;
  absl::StatusOr<Timestamp> t = Timestamp::Parse(*created);
  return t.ok() ? absl::OkStatus() : WithContext(absl::StrCat(where, ".created"), t.status());
}

absl::Status CheckRequestedPlatform(const Platform& want, const std::optional<Platform>& have,
                                    const std::string& config_path, const std::string& request_path) {
  if (!have || PlatformMatches(want, *have)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(request_path, ": platform ", want.ToString(),
                                                 " is not the platform of the base config ",
                                                 config_path, ", ", have->ToString()));
}

// The manifest's layers, once the manifest is known to describe `config_bytes`.
absl::StatusOr<std::vector<Descriptor>> ReadManifestLayers(const std::string& path,
                                                           const std::string& config_bytes) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<ImageManifest> manifest = ParseManifest(*bytes, Descriptor(), path);
  if (!manifest.ok()) return manifest.status();
  const Digest actual = DigestSink::Of(manifest->config.digest.algorithm(), config_bytes);
  if (manifest->config.digest != actual) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".config.digest: ", manifest->config.digest.ToString(),
        " does not match the base config, whose digest is ", actual.ToString()));
  }
  return std::move(manifest->layers);
}

absl::StatusOr<std::vector<Digest>> DiffIds(const json::Value& config) {
  std::vector<std::string> texts;
  if (const json::Value* rootfs = config.Find("rootfs"); rootfs != nullptr && !rootfs->is_null()) {
    absl::Status s = json::RequireObject(*rootfs, "base config.rootfs");
    if (!s.ok()) return s;
    std::optional<std::vector<std::string>> ids;
    s = json::GetStringArray(*rootfs, "base config.rootfs", "diff_ids", &ids);
    if (!s.ok()) return s;
    if (ids) texts = *std::move(ids);
  }
  std::vector<Digest> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<Digest> d = Digest::Parse(texts[i]);
    if (!d.ok()) return WithContext(absl::StrCat("base config.rootfs.diff_ids[", i, "]"), d.status());
    out.push_back(*d);
  }
  return out;
}

// Pairs the manifest's layers with the config's diff_ids. Errors name the
// "base config" only: the caller adds the request.
absl::StatusOr<std::vector<ImageLayer>> PairLayers(const json::Value& config,
                                                   std::vector<Descriptor> layers) {
  absl::StatusOr<std::vector<Digest>> diff_ids = DiffIds(config);
  if (!diff_ids.ok()) return diff_ids.status();
  if (diff_ids->size() != layers.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base config lists ", diff_ids->size(), " rootfs.diff_ids but the base manifest has ",
        layers.size(), " layers; they must match one to one"));
  }
  std::vector<ImageLayer> out(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    out[i].descriptor = std::move(layers[i]);
    out[i].diff_id = (*diff_ids)[i];
  }
  return out;
}

// The config, its platform, history and layers.
absl::Status ReadConfigAndLayers(const BaseImageFiles& files, const std::optional<Platform>& platform,
                                 const std::string& request_path, BaseImage* base) {
  absl::StatusOr<std::string> bytes = ReadFileToString(files.config);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<json::Value> config = json::Parse(*bytes, files.config);
  if (!config.ok()) return config.status();
  absl::Status s = json::RequireObject(*config, files.config);
  if (!s.ok()) return s;
  s = CheckCreated(*config, files.config);
  if (!s.ok()) return s;
  absl::StatusOr<std::optional<Platform>> have = ConfigPlatform(*config, files.config);
  if (!have.ok()) return have.status();
  if (platform) s = CheckRequestedPlatform(*platform, *have, files.config, request_path);
  if (!s.ok()) return s;
  std::vector<Descriptor> layers;
  if (!files.manifest.empty()) {
    absl::StatusOr<std::vector<Descriptor>> read = ReadManifestLayers(files.manifest, *bytes);
    if (!read.ok()) return read.status();
    layers = *std::move(read);
  }
  absl::StatusOr<std::vector<ImageLayer>> paired = PairLayers(*config, std::move(layers));
  if (!paired.ok()) return WithContext(request_path, paired.status());
  absl::StatusOr<std::vector<History>> history = HistoryFromConfig(*config, "base config");
  if (!history.ok()) return WithContext(request_path, history.status());
  base->config = *std::move(config);
  base->platform = *have;
  base->layers = *std::move(paired);
  base->history = *std::move(history);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<BaseImage>> ReadBaseImage(const BaseImageFiles& files,
                                                       const std::optional<Platform>& platform,
                                                       const std::string& request_path) {
  if (files.config.empty()) {
    if (files.manifest.empty()) return std::optional<BaseImage>();
    return absl::InvalidArgumentError(
        absl::StrCat(request_path, ": base_manifest given without base_config"));
  }
  BaseImage base;
  absl::Status s = ReadConfigAndLayers(files, platform, request_path, &base);
  if (!s.ok()) return s;
  if (!files.descriptor.empty()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(files.descriptor);
    if (!d.ok()) return d.status();
    base.descriptor = *std::move(d);
  }
  return std::optional<BaseImage>(std::move(base));
}

}  // namespace imagewriter
