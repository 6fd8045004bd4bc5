#include "src/request/image_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/io/file.h"
#include "src/layout/descriptor_file.h"
#include "src/proto/request.pb.h"
#include "src/request/base_image.h"
#include "src/request/key_value_files.h"
#include "src/request/request_file.h"
#include "src/request/stamper.h"

namespace imagewriter {
namespace {

using Files = std::vector<std::string>;

absl::StatusOr<std::optional<Platform>> RequestedPlatform(const proto::ImageRequest& request,
                                                         const std::string& path) {
  if (request.platform().empty()) return std::optional<Platform>();
  absl::StatusOr<Platform> p = Platform::Parse(request.platform());
  if (!p.ok()) return WithContext(path, p.status());
  return std::optional<Platform>(*p);
}

absl::Status ReadSourceDateEpoch(const proto::ImageRequest& request, const std::string& path,
                                 const std::optional<std::string>& env, ImageSpec* spec) {
  std::string sde = request.source_date_epoch();
  // Errors say where the value came from: the request, or the environment
  // of the command that read it.
  std::string where = absl::StrCat(path, ": source_date_epoch");
  if (sde.empty() && env) {
    sde = *env;
    where = absl::StrCat(path, " (SOURCE_DATE_EPOCH from the environment)");
  }
  if (sde.empty()) return absl::OkStatus();
  absl::StatusOr<Timestamp> t = Timestamp::FromSourceDateEpoch(sde);
  if (!t.ok()) return WithContext(where, t.status());
  spec->source_date_epoch = *t;
  return absl::OkStatus();
}

absl::Status ReadCreated(const proto::ImageRequest& request, const std::string& path,
                         const Stamper& stamper, ImageSpec* spec) {
  const std::string created = stamper.Apply(request.created());
  if (created.empty() || (!stamper.enabled() && created.find('{') != std::string::npos)) {
    return absl::OkStatus();
  }
  const bool seconds = created.find_first_not_of("0123456789") == std::string::npos;
  absl::StatusOr<Timestamp> t =
      seconds ? Timestamp::FromSourceDateEpoch(created) : Timestamp::Parse(created);
  if (!t.ok()) return WithContext(absl::StrCat(path, ": created"), t.status());
  spec->created = *t;
  return absl::OkStatus();
}

absl::StatusOr<Digest> ReadDigestFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path, 4096);
  if (!text.ok()) return text.status();
  absl::StatusOr<Digest> d = Digest::Parse(absl::StripAsciiWhitespace(*text));
  if (!d.ok()) return WithContext(path, d.status());
  return d;
}

// An RFC 3339 time, if given.
absl::Status ReadTime(const std::string& text, const std::string& where,
                      std::optional<Timestamp>* out) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<Timestamp> t = Timestamp::Parse(text);
  if (!t.ok()) return WithContext(where, t.status());
  *out = *t;
  return absl::OkStatus();
}

absl::StatusOr<ImageLayer> ReadLayer(const proto::LayerRef& ref, const std::string& where) {
  if (ref.descriptor_file().empty() || ref.diff_id_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": descriptor_file and diff_id_file are required"));
  }
  ImageLayer layer;
  absl::StatusOr<Descriptor> d = ReadDescriptorFile(ref.descriptor_file());
  if (!d.ok()) return d.status();
  layer.descriptor = *std::move(d);
  absl::StatusOr<Digest> diff_id = ReadDigestFile(ref.diff_id_file());
  if (!diff_id.ok()) return diff_id.status();
  layer.diff_id = *diff_id;
  layer.metadata.created_by = ref.created_by().empty() ? "imagewriter" : ref.created_by();
  layer.metadata.comment = ref.comment();
  absl::Status s = ReadTime(ref.created(), absl::StrCat(where, ".created"), &layer.metadata.created);
  if (!s.ok()) return s;
  return layer;
}

absl::Status ReadLayersAndHistory(const proto::ImageRequest& request, const std::string& path,
                                  ImageSpec* spec) {
  for (int i = 0; i < request.layers_size(); ++i) {
    absl::StatusOr<ImageLayer> layer =
        ReadLayer(request.layers(i), absl::StrCat(path, ": layers[", i, "]"));
    if (!layer.ok()) return layer.status();
    spec->layers.push_back(*std::move(layer));
  }
  for (int i = 0; i < request.history_size(); ++i) {
    const proto::HistoryEntry& e = request.history(i);
    History h;
    absl::Status s = ReadTime(e.created(), absl::StrCat(path, ": history[", i, "].created"), &h.created);
    if (!s.ok()) return s;
    h.created_by = e.created_by();
    h.author = e.author();
    h.comment = e.comment();
    h.empty_layer = e.empty_layer();
    spec->history.push_back(std::move(h));
  }
  return absl::OkStatus();
}

// env entries as given, then those of env_files; stamped.
absl::Status ReadEnv(const proto::ImageRequest& request, const Stamper& stamper,
                     std::vector<std::string>* env) {
  for (const std::string& entry : request.env()) env->push_back(stamper.Apply(entry));
  for (const std::string& file : request.env_files()) {
    absl::StatusOr<std::vector<KeyValue>> entries = ReadKeyValueFile(file);
    if (!entries.ok()) return entries.status();
    for (const KeyValue& e : *entries) env->push_back(absl::StrCat(e.key, "=", stamper.Apply(e.value)));
  }
  return absl::OkStatus();
}

absl::Status ReadFragment(const proto::ImageRequest& request, const Stamper& stamper,
                          ConfigFragment* f) {
  if (request.has_entrypoint()) {
    f->entrypoint.emplace(request.entrypoint().values().begin(), request.entrypoint().values().end());
  }
  if (request.has_cmd()) f->cmd.emplace(request.cmd().values().begin(), request.cmd().values().end());
  absl::Status s = ReadEnv(request, stamper, &f->env);
  if (!s.ok()) return s;
  if (request.has_user()) f->user = request.user();
  if (request.has_workdir()) f->workdir = request.workdir();
  if (request.has_stop_signal()) f->stop_signal = request.stop_signal();
  f->labels.insert(request.labels().begin(), request.labels().end());
  s = MergeKeyValueFiles(Files(request.label_files().begin(), request.label_files().end()), "label",
                         &f->labels);
  if (!s.ok()) return s;
  stamper.ApplyToValues(&f->labels);
  f->exposed_ports.assign(request.exposed_ports().begin(), request.exposed_ports().end());
  f->volumes.assign(request.volumes().begin(), request.volumes().end());
  return absl::OkStatus();
}

absl::Status ReadAnnotations(const proto::ImageRequest& request, const std::string& path,
                             const Stamper& stamper, std::map<std::string, std::string>* out) {
  out->insert(request.annotations().begin(), request.annotations().end());
  absl::Status s = MergeKeyValueFiles(
      Files(request.annotation_files().begin(), request.annotation_files().end()), "annotation", out);
  if (!s.ok()) return s;
  stamper.ApplyToValues(out);
  if (out->count("") > 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": annotation with an empty key"));
  }
  return absl::OkStatus();
}

// What the request asks of the writer beyond the base.
absl::Status ReadImage(const proto::ImageRequest& request, const std::string& path,
                       const std::optional<std::string>& source_date_epoch_env, ImageSpec* spec) {
  absl::StatusOr<Stamper> stamper =
      Stamper::FromStatusFiles(Files(request.status_files().begin(), request.status_files().end()));
  if (!stamper.ok()) return stamper.status();
  absl::Status s = ReadSourceDateEpoch(request, path, source_date_epoch_env, spec);
  if (s.ok()) s = ReadCreated(request, path, *stamper, spec);
  if (s.ok()) s = ReadLayersAndHistory(request, path, spec);
  if (s.ok()) s = ReadFragment(request, *stamper, &spec->fragment);
  if (s.ok()) s = ReadAnnotations(request, path, *stamper, &spec->annotations);
  if (!s.ok()) return s;
  absl::StatusOr<MediaFlavor> flavor = ParseMediaFlavor(request.media_types());
  if (!flavor.ok()) return WithContext(path, flavor.status());
  spec->flavor = *flavor;
  spec->drop_empty_gzip_layers = request.drop_empty_layers();
  spec->clamp_base_history = request.clamp_base_history();
  if (spec->clamp_base_history && !spec->source_date_epoch) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": clamp_base_history needs a SOURCE_DATE_EPOCH (source_date_epoch, or the "
              "variable) to clamp to"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImageSpec> ReadImageRequest(const std::string& path,
                                           const std::optional<std::string>& source_date_epoch_env) {
  proto::ImageRequest request;
  absl::Status s = ReadRequestFile(path, &request);
  if (!s.ok()) return s;
  ImageSpec spec;
  absl::StatusOr<std::optional<Platform>> platform = RequestedPlatform(request, path);
  if (!platform.ok()) return platform.status();
  spec.platform = *platform;
  absl::StatusOr<std::optional<BaseImage>> base = ReadBaseImage(
      {request.base_config(), request.base_manifest(), request.base_descriptor()}, spec.platform, path);
  if (!base.ok()) return base.status();
  spec.base = *std::move(base);
  s = ReadImage(request, path, source_date_epoch_env, &spec);
  if (!s.ok()) return s;
  return spec;
}

absl::StatusOr<ImageOutput> BuildImageFromRequest(
    const std::string& path, const std::optional<std::string>& source_date_epoch_env) {
  absl::StatusOr<ImageSpec> spec = ReadImageRequest(path, source_date_epoch_env);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<ImageOutput> image = BuildImage(*std::move(spec));
  if (!image.ok()) return WithContext(path, image.status());
  return image;
}

}  // namespace imagewriter
