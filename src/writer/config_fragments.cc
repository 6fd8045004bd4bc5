#include "src/writer/config_fragments.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
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

std::string Lookup(const std::string& name, const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    size_t eq = entry.find('=');
    if (eq != std::string::npos && entry.compare(0, eq, name) == 0 && eq == name.size()) {
      return entry.substr(eq + 1);
    }
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
  json::Value config = json::Value::Object();
  if (const json::Value* existing = image_config->Find("config");
      existing != nullptr && !existing->is_null()) {
    if (!existing->is_object()) {
      return json::TypeError("", "config", "an object", *existing);
    }
    config = *existing;
  }

  if (f.entrypoint) {
    config.Set("Entrypoint", json::Value::StringArray(*f.entrypoint));
    if (!f.cmd) config.Remove("Cmd");
  }
  if (f.cmd) config.Set("Cmd", json::Value::StringArray(*f.cmd));
  if (f.user) config.Set("User", json::Value::String(*f.user));
  if (f.workdir) config.Set("WorkingDir", json::Value::String(*f.workdir));
  if (f.stop_signal) config.Set("StopSignal", json::Value::String(*f.stop_signal));

  if (!f.env.empty()) {
    std::optional<std::vector<std::string>> inherited;
    absl::Status s = json::GetStringArray(config, "config", "Env", &inherited);
    if (!s.ok()) return s;
    std::vector<std::string> env = inherited.value_or(std::vector<std::string>{});
    for (const std::string& entry : f.env) {
      size_t eq = entry.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "env entry \"", entry, "\": expected KEY=VALUE with a non-empty KEY"));
      }
      std::string key = entry.substr(0, eq);
      std::string expanded = absl::StrCat(key, "=", ExpandEnv(entry.substr(eq + 1), env));
      bool replaced = false;
      for (std::string& existing : env) {
        if (existing.compare(0, key.size() + 1, key + "=") == 0) {
          existing = expanded;
          replaced = true;
          break;
        }
      }
      if (!replaced) env.push_back(std::move(expanded));
    }
    config.Set("Env", json::Value::StringArray(env));
  }

  if (!f.labels.empty()) {
    std::map<std::string, std::string> labels;
    absl::Status s = json::GetStringMap(config, "config", "Labels", &labels);
    if (!s.ok()) return s;
    for (const auto& [key, value] : f.labels) {
      if (key.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("label with an empty key (value \"", value, "\")"));
      }
      labels[key] = value;
    }
    config.Set("Labels", json::Value::SortedObject(labels));
  }

  if (!f.exposed_ports.empty()) {
    std::set<std::string> ports;
    absl::Status s = KeysOf(config, "ExposedPorts", &ports);
    if (!s.ok()) return s;
    for (const std::string& port : f.exposed_ports) {
      absl::StatusOr<std::string> normalized = NormalizePort(port);
      if (!normalized.ok()) return normalized.status();
      ports.insert(*normalized);
    }
    config.Set("ExposedPorts", EmptyObjectsFor(ports));
  }

  if (!f.volumes.empty()) {
    std::set<std::string> volumes;
    absl::Status s = KeysOf(config, "Volumes", &volumes);
    if (!s.ok()) return s;
    for (const std::string& volume : f.volumes) {
      if (volume.empty()) return absl::InvalidArgumentError("volume with an empty path");
      volumes.insert(volume);
    }
    config.Set("Volumes", EmptyObjectsFor(volumes));
  }

  // Known members first in Go's order, then the rest as they were.
  std::vector<json::Value::Member> ordered;
  for (const char* key : kKnownOrder) {
    if (const json::Value* v = config.Find(key)) ordered.emplace_back(key, *v);
  }
  for (const json::Value::Member& m : config.members()) {
    bool known = false;
    for (const char* key : kKnownOrder) known = known || m.first == key;
    if (!known) ordered.push_back(m);
  }
  image_config->Set("config", json::Value::Object(std::move(ordered)));
  return absl::OkStatus();
}

}  // namespace imagewriter
