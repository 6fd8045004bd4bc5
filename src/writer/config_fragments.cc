#include "src/writer/config_fragments.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "src/base/key_value.h"
#include "src/base/status.h"
#include "src/json/fields.h"

namespace imagewriter {
namespace {

// Go's ocispec.ImageConfig field order.
const char* const kKnownOrder[] = {"User",       "ExposedPorts", "Env",
                                   "Entrypoint", "Cmd",          "Volumes",
                                   "WorkingDir", "Labels",       "StopSignal",
                                   "ArgsEscaped"};

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Whether the env entry `entry` ("KEY=VALUE") sets `key`. A key ends at
// the first '=', so none holds one.
bool SetsKey(absl::string_view entry, absl::string_view key) {
  return key.find('=') == absl::string_view::npos && absl::StartsWith(entry, key) &&
         entry.size() > key.size() && entry[key.size()] == '=';
}

std::string Lookup(const std::string& name, const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (SetsKey(entry, name)) return entry.substr(name.size() + 1);
  }
  return "";
}

absl::StatusOr<std::string> NormalizePort(const std::string& port) {
  static const RE2* const kPort = new RE2("(\\d{1,5})(?:/(tcp|udp|sctp))?");
  std::string number, protocol;
  int value = 0;
  if (!RE2::FullMatch(port, *kPort, &number, &protocol) ||
      !absl::SimpleAtoi(number, &value) || value < 1 || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exposed port \"", port, "\": expected PORT or PORT/tcp|udp|sctp, PORT 1..65535"));
  }
  return absl::StrCat(value, "/", protocol.empty() ? "tcp" : protocol);
}

// Reads an object-valued member as a set of keys (ExposedPorts, Volumes).
absl::Status KeysOf(const json::Value& config, const char* key, std::set<std::string>* out) {
  const json::Value* v = config.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (!v->is_object()) return json::TypeError("config", key, "an object", *v);
  for (const auto& m : v->members()) out->insert(m.first);
  return absl::OkStatus();
}

json::Value EmptyObjectsFor(const std::set<std::string>& keys) {
  std::vector<json::Value::Member> members;
  for (const std::string& k : keys) members.emplace_back(k, json::Value::Object());
  return json::Value::Object(std::move(members));
}

// The inherited "config" member, or an empty object.
absl::StatusOr<json::Value> InheritedConfig(const json::Value& image_config) {
  const json::Value* existing = image_config.Find("config");
  if (existing == nullptr || existing->is_null()) return json::Value::Object();
  if (!existing->is_object()) return json::TypeError("", "config", "an object", *existing);
  return *existing;
}

void SetReplacedValues(const ConfigFragment& f, json::Value* config) {
  if (f.entrypoint) {
    config->Set("Entrypoint", json::Value::StringArray(*f.entrypoint));
    if (!f.cmd) config->Remove("Cmd");
  }
  if (f.cmd) config->Set("Cmd", json::Value::StringArray(*f.cmd));
  if (f.user) config->Set("User", json::Value::String(*f.user));
  if (f.workdir) config->Set("WorkingDir", json::Value::String(*f.workdir));
  if (f.stop_signal) config->Set("StopSignal", json::Value::String(*f.stop_signal));
}

// Sets KEY=VALUE in `env`: in place of the entry of the same key, or last.
void SetEnv(const std::string& key, std::string entry, std::vector<std::string>* env) {
  for (std::string& existing : *env) {
    if (SetsKey(existing, key)) {
      existing = std::move(entry);
      return;
    }
  }
  env->push_back(std::move(entry));
}

absl::Status MergeEnv(const std::vector<std::string>& entries, json::Value* config) {
  std::optional<std::vector<std::string>> inherited;
  absl::Status s = json::GetStringArray(*config, "config", "Env", &inherited);
  if (!s.ok()) return s;
  std::vector<std::string> env = inherited.value_or(std::vector<std::string>{});
  for (const std::string& entry : entries) {
    absl::StatusOr<KeyValue> kv = SplitKeyValue(entry);
    if (!kv.ok()) return WithContext(absl::StrCat("env entry \"", entry, "\""), kv.status());
    SetEnv(kv->key, absl::StrCat(kv->key, "=", ExpandEnv(kv->value, env)), &env);
  }
  config->Set("Env", json::Value::StringArray(env));
  return absl::OkStatus();
}

absl::Status MergeLabels(const std::map<std::string, std::string>& added, json::Value* config) {
  std::map<std::string, std::string> labels;
  absl::Status s = json::GetStringMap(*config, "config", "Labels", &labels);
  if (!s.ok()) return s;
  for (const auto& [key, value] : added) {
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("label with an empty key (value \"", value, "\")"));
    }
    labels[key] = value;
  }
  config->Set("Labels", json::Value::SortedObject(labels));
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeVolume(const std::string& volume) {
  if (volume.empty()) return absl::InvalidArgumentError("volume with an empty path");
  return volume;
}

// Adds `added`, normalised, to the keys of the object-valued member `key`
// (ExposedPorts, Volumes), each mapped to an empty object.
absl::Status MergeKeys(const char* key, const std::vector<std::string>& added,
                       absl::StatusOr<std::string> (*normalize)(const std::string&),
                       json::Value* config) {
  std::set<std::string> keys;
  absl::Status s = KeysOf(*config, key, &keys);
  if (!s.ok()) return s;
  for (const std::string& k : added) {
    absl::StatusOr<std::string> normalized = normalize(k);
    if (!normalized.ok()) return normalized.status();
    keys.insert(*normalized);
  }
  config->Set(key, EmptyObjectsFor(keys));
  return absl::OkStatus();
}

// Known members first in Go's order, then the rest as they were.
json::Value InGoOrder(const json::Value& config) {
  std::vector<json::Value::Member> ordered;
  for (const char* key : kKnownOrder) {
    if (const json::Value* v = config.Find(key)) ordered.emplace_back(key, *v);
  }
  for (const json::Value::Member& m : config.members()) {
    bool known = false;
    for (const char* key : kKnownOrder) known = known || m.first == key;
    if (!known) ordered.push_back(m);
  }
  return json::Value::Object(std::move(ordered));
}

}  // namespace

std::string ExpandEnv(const std::string& value, const std::vector<std::string>& env) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$' || i + 1 >= value.size()) {
      out.push_back(value[i]);
      continue;
    }
    if (value[i + 1] == '{') {
      size_t close = value.find('}', i + 2);
      if (close == std::string::npos) {
        out.append(value, i, std::string::npos);
        break;
      }
      out += Lookup(value.substr(i + 2, close - i - 2), env);
      i = close;
    } else if (IsNameStart(value[i + 1])) {
      size_t end = i + 1;
      while (end < value.size() && IsNameChar(value[end])) ++end;
      out += Lookup(value.substr(i + 1, end - i - 1), env);
      i = end - 1;
    } else {
      out.push_back('$');
    }
  }
  return out;
}

absl::Status ApplyConfigFragments(const ConfigFragment& f, json::Value* image_config) {
  if (f.empty()) return absl::OkStatus();
  absl::StatusOr<json::Value> config = InheritedConfig(*image_config);
  if (!config.ok()) return config.status();
  SetReplacedValues(f, &*config);
  absl::Status s;
  if (s.ok() && !f.env.empty()) s = MergeEnv(f.env, &*config);
  if (s.ok() && !f.labels.empty()) s = MergeLabels(f.labels, &*config);
  if (s.ok() && !f.exposed_ports.empty()) {
    s = MergeKeys("ExposedPorts", f.exposed_ports, NormalizePort, &*config);
  }
  if (s.ok() && !f.volumes.empty()) s = MergeKeys("Volumes", f.volumes, NormalizeVolume, &*config);
  if (!s.ok()) return s;
  image_config->Set("config", InGoOrder(*config));
  return absl::OkStatus();
}

}  // namespace imagewriter
