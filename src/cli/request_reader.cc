#include "src/cli/request_reader.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "src/io/file.h"
#include "src/json/fields.h"
#include "src/json/parser.h"
#include "src/layout/descriptor_file.h"
#include "src/layout/image_reader.h"
#include "src/oci/media_types.h"
#include "src/proto/request.pb.h"

namespace imagewriter {
namespace {

absl::Status Prefixed(absl::string_view prefix, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(prefix, ": ", s.message()));
}

using google::protobuf::FieldDescriptor;
using MessageType = google::protobuf::Descriptor;

absl::Status CheckMessage(const json::Value& v, const MessageType& type, const std::string& where);

absl::Status Expected(const std::string& where, absl::string_view what, const json::Value& got) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": expected ", what, ", got ", json::TypeName(got.type())));
}

// Every string of a request becomes a file path, a path in a tar, or part of
// a config or environment, and C cuts each of those at a NUL: "a\u0000b"
// would name the file "a" while the request says otherwise.
absl::Status CheckString(const json::Value& v, const std::string& where) {
  if (!v.is_string()) return Expected(where, "a string", v);
  if (v.text().find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": contains a NUL character"));
  }
  return absl::OkStatus();
}

// One value of a field (an element, for a repeated field).
absl::Status CheckScalar(const json::Value& v, const FieldDescriptor& field, const std::string& where) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_STRING:
      return CheckString(v, where);
    case FieldDescriptor::TYPE_BOOL:
      return v.type() == json::Value::Type::kBool ? absl::OkStatus() : Expected(where, "true or false", v);
    case FieldDescriptor::TYPE_INT64: {
      int64_t n;
      if (v.type() != json::Value::Type::kNumber) return Expected(where, "an integer", v);
      if (json::NumberToInt64(v.text(), &n)) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", v.text(), " is not an integer in the int64 range"));
    }
    case FieldDescriptor::TYPE_MESSAGE:
      return CheckMessage(v, *field.message_type(), where);
    default:
      return absl::InternalError(absl::StrCat(where, ": field type not handled by the request check"));
  }
}

absl::Status CheckField(const json::Value& v, const FieldDescriptor& field, const std::string& where) {
  if (v.is_null()) return absl::OkStatus();  // Absent, as protobuf and Go read it.
  if (field.is_map()) {
    if (!v.is_object()) return Expected(where, "an object of strings", v);
    for (const json::Value::Member& m : v.members()) {
      const std::string key_where = absl::StrCat(where, ".", m.first);
      absl::Status s = CheckString(json::Value::String(m.first), key_where);
      if (s.ok()) s = CheckString(m.second, key_where);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (!field.is_repeated()) return CheckScalar(v, field, where);
  if (!v.is_array()) return Expected(where, "an array", v);
  for (size_t i = 0; i < v.items().size(); ++i) {
    absl::Status s = CheckScalar(v.items()[i], field, absl::StrCat(where, "[", i, "]"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Protobuf's JSON parser is lenient where a request must not be: it takes
// "yes" for a bool, a lone string for a repeated field, an integer in
// quotes. So the strict parser's tree is first held to the schema: an object
// for every message, each member a field (by its proto or JSON name, once),
// each value of the field's type. Errors name the member by its path from
// the top (`where`, empty there), e.g. "entries[2].executable: expected
// true or false, got a string".
absl::Status CheckMessage(const json::Value& v, const MessageType& type, const std::string& where) {
  if (!v.is_object()) return Expected(where, "a JSON object", v);
  std::set<int> seen;
  for (const json::Value::Member& m : v.members()) {
    const std::string member_where = where.empty() ? m.first : absl::StrCat(where, ".", m.first);
    const FieldDescriptor* field = nullptr;
    for (int i = 0; i < type.field_count() && field == nullptr; ++i) {
      const FieldDescriptor* f = type.field(i);
      if (f->name() == m.first || f->json_name() == m.first) field = f;
    }
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(member_where, ": unknown field of ", type.name()));
    }
    if (!seen.insert(field->number()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(member_where, ": field \"", field->name(), "\" given twice"));
    }
    absl::Status s = CheckField(m.second, *field, member_where);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

template <typename Message>
absl::Status ParseRequest(const std::string& path, Message* message) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<json::Value> strict = json::Parse(*text, path);
  if (!strict.ok()) return strict.status();
  if (!strict->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": invalid request: expected a JSON object, got ",
                                                   json::TypeName(strict->type())));
  }
  absl::Status s = CheckMessage(*strict, *Message::descriptor(), "");
  if (!s.ok()) return Prefixed(absl::StrCat(path, ": invalid request"), s);
  // The checked request, converted by protobuf.
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(*text, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": invalid request: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<json::Value> ReadJsonFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return json::Parse(std::move(*text), path);
}

absl::StatusOr<Digest> ReadDigestFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path, 4096);
  if (!text.ok()) return text.status();
  absl::StatusOr<Digest> d = Digest::Parse(absl::StripAsciiWhitespace(*text));
  if (!d.ok()) return Prefixed(path, d.status());
  return d;
}

absl::StatusOr<Timestamp> ParseTime(absl::string_view what, const std::string& text) {
  absl::StatusOr<Timestamp> t = Timestamp::Parse(text);
  if (!t.ok()) return Prefixed(what, t.status());
  return t;
}

absl::Status AddKeyValueFiles(const google::protobuf::RepeatedPtrField<std::string>& files,
                              absl::string_view what, std::map<std::string, std::string>* out) {
  for (const std::string& file : files) {
    std::vector<std::pair<std::string, std::string>> entries;
    absl::Status s = ReadKeyValueFile(file, &entries);
    if (!s.ok()) return s;
    for (auto& [k, v] : entries) {
      if (!out->emplace(k, v).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": duplicate ", what, " key \"", k, "\""));
      }
    }
  }
  return absl::OkStatus();
}

// Replaces {KEY} with workspace-status values (Bazel's --stamp).
class Stamper {
 public:
  absl::Status Load(const google::protobuf::RepeatedPtrField<std::string>& files) {
    for (const std::string& file : files) {
      absl::StatusOr<std::string> text = ReadFileToString(file);
      if (!text.ok()) return text.status();
      for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
        size_t space = line.find(' ');
        std::string key(line.substr(0, space));
        std::string value(space == absl::string_view::npos ? "" : line.substr(space + 1));
        replacements_.emplace_back(absl::StrCat("{", key, "}"), value);
      }
      enabled_ = true;
    }
    return absl::OkStatus();
  }
  bool enabled() const { return enabled_; }
  std::string Apply(const std::string& text) const {
    return enabled_ && text.find('{') != std::string::npos
               ? absl::StrReplaceAll(text, replacements_)
               : text;
  }
  void ApplyToValues(std::map<std::string, std::string>* m) const {
    for (auto& [k, v] : *m) v = Apply(v);
  }

 private:
  bool enabled_ = false;
  std::vector<std::pair<std::string, std::string>> replacements_;
};

// `created` after stamping: RFC 3339, or decimal seconds ({BUILD_TIMESTAMP}).
absl::StatusOr<Timestamp> ParseCreated(absl::string_view what, const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    absl::StatusOr<Timestamp> t = Timestamp::FromSourceDateEpoch(text);
    if (!t.ok()) return Prefixed(what, t.status());
    return t;
  }
  absl::StatusOr<Timestamp> t = Timestamp::Parse(text);
  if (!t.ok()) return Prefixed(what, t.status());
  return t;
}

// Reads the base manifest's layers, checking it describes the base config.
absl::Status ReadBaseManifest(const std::string& path, const std::string& config_bytes,
                              std::vector<Descriptor>* layers) {
  absl::StatusOr<json::Value> manifest = ReadJsonFile(path);
  if (!manifest.ok()) return manifest.status();
  absl::Status s = json::RequireObject(*manifest, path);
  if (!s.ok()) return s;
  std::optional<std::string> media_type;
  s = json::GetString(*manifest, path, "mediaType", &media_type);
  if (!s.ok()) return s;
  if (media_type && *media_type != kOciManifest && *media_type != kDockerManifest) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".mediaType: \"", *media_type, "\" is not an image manifest"));
  }
  const json::Value* config = manifest->Find("config");
  if (config == nullptr) return absl::InvalidArgumentError(absl::StrCat(path, ".config: required"));
  absl::StatusOr<Descriptor> config_desc = Descriptor::FromJson(*config, absl::StrCat(path, ".config"));
  if (!config_desc.ok()) return config_desc.status();
  Digest actual = Digest::Sha256Of(config_bytes);
  if (config_desc->digest != actual) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".config.digest: ", config_desc->digest.ToString(),
        " does not match the base config, whose digest is ", actual.ToString()));
  }
  const json::Value* list = manifest->Find("layers");
  if (list == nullptr || list->is_null()) return absl::OkStatus();
  if (!list->is_array()) return json::TypeError(path, "layers", "an array", *list);
  for (size_t i = 0; i < list->items().size(); ++i) {
    absl::StatusOr<Descriptor> d =
        Descriptor::FromJson(list->items()[i], absl::StrCat(path, ".layers[", i, "]"));
    if (!d.ok()) return d.status();
    layers->push_back(*std::move(d));
  }
  return absl::OkStatus();
}

// A platform asked of an image on a base must be the base's platform, when
// the base config names one: `FROM --platform` on a single-platform base of
// another platform fails in Docker too. Otherwise the image would carry the
// base's binaries under another platform's name.
absl::Status CheckBasePlatform(const std::string& path, const std::string& config_path,
                               const json::Value& config, const Platform& want) {
  std::optional<std::string> os, arch, variant;
  for (absl::Status s : {json::GetString(config, config_path, "os", &os),
                         json::GetString(config, config_path, "architecture", &arch),
                         json::GetString(config, config_path, "variant", &variant)}) {
    if (!s.ok()) return s;
  }
  if (!os || !arch) return absl::OkStatus();  // A base of no declared platform.
  Platform have;
  have.os = *os;
  have.architecture = *arch;
  have.variant = variant.value_or("");
  if (PlatformMatches(want, have)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": platform ", want.ToString(),
                                                 " is not the platform of the base config ",
                                                 config_path, ", ", have.ToString()));
}

// The base config, manifest and descriptor files, if any.
absl::Status ReadBase(const proto::ImageRequest& request, const std::string& path, ImageSpec* spec) {
  if (request.base_config().empty()) {
    if (request.base_manifest().empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(path, ": base_manifest given without base_config"));
  }
  absl::StatusOr<std::string> bytes = ReadFileToString(request.base_config());
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<json::Value> config = json::Parse(*bytes, request.base_config());
  if (!config.ok()) return config.status();
  absl::Status s = json::RequireObject(*config, request.base_config());
  if (s.ok() && spec->platform) s = CheckBasePlatform(path, request.base_config(), *config, *spec->platform);
  if (!s.ok()) return s;
  spec->base_config = *std::move(config);
  if (!request.base_manifest().empty()) {
    s = ReadBaseManifest(request.base_manifest(), *bytes, &spec->base_layers);
    if (!s.ok()) return s;
  }
  if (!request.base_descriptor().empty()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(request.base_descriptor());
    if (!d.ok()) return d.status();
    spec->base_descriptor = *std::move(d);
  }
  return absl::OkStatus();
}

// source_date_epoch (or the environment's) and created.
absl::Status ReadTimes(const proto::ImageRequest& request, const std::string& path,
                       const char* source_date_epoch_env, const Stamper& stamper, ImageSpec* spec) {
  std::string sde = request.source_date_epoch();
  // Errors say where the value came from: the request, or the environment
  // of the command that read it.
  std::string sde_where = absl::StrCat(path, ": source_date_epoch");
  if (sde.empty() && source_date_epoch_env != nullptr) {
    sde = source_date_epoch_env;
    sde_where = absl::StrCat(path, " (SOURCE_DATE_EPOCH from the environment)");
  }
  if (!sde.empty()) {
    absl::StatusOr<Timestamp> t = Timestamp::FromSourceDateEpoch(sde);
    if (!t.ok()) return Prefixed(sde_where, t.status());
    spec->source_date_epoch = *t;
  }
  const std::string created = stamper.Apply(request.created());
  // Unstamped placeholders leave `created` unset, so unstamped builds never
  // depend on the time of the build.
  if (!created.empty() && (stamper.enabled() || created.find('{') == std::string::npos)) {
    absl::StatusOr<Timestamp> t = ParseCreated(absl::StrCat(path, ": created"), created);
    if (!t.ok()) return t.status();
    spec->created = *t;
  }
  return absl::OkStatus();
}

absl::Status ReadLayersAndHistory(const proto::ImageRequest& request, const std::string& path,
                                  ImageSpec* spec) {
  for (int i = 0; i < request.layers_size(); ++i) {
    const proto::LayerRef& ref = request.layers(i);
    const std::string where = absl::StrCat(path, ": layers[", i, "]");
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
    if (!ref.created().empty()) {
      absl::StatusOr<Timestamp> t = ParseTime(absl::StrCat(where, ".created"), ref.created());
      if (!t.ok()) return t.status();
      layer.metadata.created = *t;
    }
    spec->layers.push_back(std::move(layer));
  }
  for (int i = 0; i < request.history_size(); ++i) {
    const proto::HistoryEntry& e = request.history(i);
    History h;
    if (!e.created().empty()) {
      absl::StatusOr<Timestamp> t =
          ParseTime(absl::StrCat(path, ": history[", i, "].created"), e.created());
      if (!t.ok()) return t.status();
      h.created = *t;
    }
    h.created_by = e.created_by();
    h.author = e.author();
    h.comment = e.comment();
    h.empty_layer = e.empty_layer();
    spec->history.push_back(std::move(h));
  }
  return absl::OkStatus();
}

absl::Status ReadFragment(const proto::ImageRequest& request, const Stamper& stamper,
                          ConfigFragment* f) {
  if (request.has_entrypoint()) {
    f->entrypoint = std::vector<std::string>(request.entrypoint().values().begin(),
                                             request.entrypoint().values().end());
  }
  if (request.has_cmd()) {
    f->cmd = std::vector<std::string>(request.cmd().values().begin(), request.cmd().values().end());
  }
  for (const std::string& entry : request.env()) f->env.push_back(stamper.Apply(entry));
  for (const std::string& file : request.env_files()) {
    std::vector<std::pair<std::string, std::string>> entries;
    absl::Status s = ReadKeyValueFile(file, &entries);
    if (!s.ok()) return s;
    for (auto& [k, v] : entries) f->env.push_back(absl::StrCat(k, "=", stamper.Apply(v)));
  }
  if (request.has_user()) f->user = request.user();
  if (request.has_workdir()) f->workdir = request.workdir();
  if (request.has_stop_signal()) f->stop_signal = request.stop_signal();
  f->labels.insert(request.labels().begin(), request.labels().end());
  absl::Status s = AddKeyValueFiles(request.label_files(), "label", &f->labels);
  if (!s.ok()) return s;
  stamper.ApplyToValues(&f->labels);
  f->exposed_ports.assign(request.exposed_ports().begin(), request.exposed_ports().end());
  f->volumes.assign(request.volumes().begin(), request.volumes().end());
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadKeyValueFile(const std::string& path,
                              std::vector<std::pair<std::string, std::string>>* out) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_number, ": expected KEY=VALUE with a non-empty KEY, got \"", line, "\""));
    }
    out->emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImageSpec> ReadImageRequest(const std::string& path,
                                           const char* source_date_epoch_env) {
  proto::ImageRequest request;
  absl::Status s = ParseRequest(path, &request);
  if (!s.ok()) return s;
  ImageSpec spec;
  if (!request.platform().empty()) {
    absl::StatusOr<Platform> p = Platform::Parse(request.platform());
    if (!p.ok()) return Prefixed(path, p.status());
    spec.platform = *p;
  }
  s = ReadBase(request, path, &spec);
  if (!s.ok()) return s;
  Stamper stamper;
  s = stamper.Load(request.status_files());
  if (s.ok()) s = ReadTimes(request, path, source_date_epoch_env, stamper, &spec);
  if (s.ok()) s = ReadLayersAndHistory(request, path, &spec);
  if (s.ok()) s = ReadFragment(request, stamper, &spec.fragment);
  if (!s.ok()) return s;

  spec.annotations.insert(request.annotations().begin(), request.annotations().end());
  s = AddKeyValueFiles(request.annotation_files(), "annotation", &spec.annotations);
  if (!s.ok()) return s;
  stamper.ApplyToValues(&spec.annotations);
  for (const auto& [key, value] : spec.annotations) {
    if (key.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": annotation with an empty key"));
  }
  absl::StatusOr<MediaFlavor> flavor = ParseMediaFlavor(request.media_types());
  if (!flavor.ok()) return Prefixed(path, flavor.status());
  spec.flavor = *flavor;
  spec.drop_empty_gzip_layers = request.drop_empty_layers();
  return spec;
}

absl::StatusOr<IndexSpec> ReadIndexRequest(const std::string& path) {
  proto::IndexRequest request;
  absl::Status s = ParseRequest(path, &request);
  if (!s.ok()) return s;
  IndexSpec spec;
  for (const std::string& file : request.manifests()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(file);
    if (!d.ok()) return d.status();
    spec.manifests.push_back(*std::move(d));
  }
  spec.annotations.insert(request.annotations().begin(), request.annotations().end());
  s = AddKeyValueFiles(request.annotation_files(), "annotation", &spec.annotations);
  if (!s.ok()) return s;
  absl::StatusOr<MediaFlavor> flavor = ParseMediaFlavor(request.media_types());
  if (!flavor.ok()) return Prefixed(path, flavor.status());
  spec.flavor = *flavor;
  return spec;
}

absl::StatusOr<std::unique_ptr<FileTree>> ReadLayerFiles(const std::string& path) {
  proto::LayerFiles request;
  absl::Status s = ParseRequest(path, &request);
  if (!s.ok()) return s;
  FileTree::Options options;
  if (!request.mode().empty()) {
    absl::StatusOr<uint32_t> mode = ParseMode(request.mode());
    if (!mode.ok()) return Prefixed(path, mode.status());
    options.mode = *mode;
  }
  if (!request.owner().empty()) {
    s = ParseOwner(request.owner(), &options.uid, &options.gid);
    if (!s.ok()) return Prefixed(path, s);
    // Linux ids are 32-bit: a larger one cannot be anyone in the image.
    constexpr uint64_t kMaxId = 0xFFFFFFFF;
    if (options.uid > kMaxId || options.gid > kMaxId) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": owner \"", request.owner(), "\": ", options.uid > kMaxId ? "uid" : "gid",
          " above ", kMaxId));
    }
  }
  if (request.mtime() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": mtime ", request.mtime(), " is negative"));
  }
  options.mtime = request.mtime();
  options.hardlinks = request.hardlinks();
  auto tree = std::make_unique<FileTree>(options);
  for (int i = 0; i < request.entries_size(); ++i) {
    const proto::FileEntry& e = request.entries(i);
    const std::string where = absl::StrCat(path, ": entries[", i, "]");
    std::optional<uint32_t> mode;
    if (!e.mode().empty()) {
      absl::StatusOr<uint32_t> m = ParseMode(e.mode());
      if (!m.ok()) return Prefixed(where, m.status());
      mode = *m;
    }
    const int kinds = !e.file().empty() + !e.symlink().empty() + e.directory();
    if (kinds != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": exactly one of file, symlink or directory is required"));
    }
    if (!e.file().empty()) {
      s = tree->AddFile(e.path(), e.file(), mode, e.executable());
    } else if (!e.symlink().empty()) {
      s = tree->AddSymlink(e.path(), e.symlink());
    } else {
      s = tree->AddDirectory(e.path(), mode);
    }
    if (!s.ok()) return Prefixed(where, s);
  }
  return tree;
}

}  // namespace imagewriter
