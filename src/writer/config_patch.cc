#include "src/writer/config_patch.h"

#include <algorithm>

#include "src/json/writer.h"

namespace imagewriter {

json::Value EmptyImageConfig(const Platform& platform) {
  json::Value config = json::Value::Object();
  config.Set("architecture", json::Value::String(platform.architecture));
  if (!platform.variant.empty()) {
    config.Set("variant", json::Value::String(platform.variant));
  }
  config.Set("os", json::Value::String(platform.os));
  config.Set("config", json::Value::Object(
                           {{"Env", json::Value::StringArray({kDefaultPathEnv})},
                            {"WorkingDir", json::Value::String("/")}}));
  config.Set("rootfs", json::Value::Object({{"type", json::Value::String("layers")},
                                            {"diff_ids", json::Value::Array()}}));
  return config;
}

std::string PatchImageConfig(json::Value config,
                             const std::vector<Digest>& diff_ids,
                             const std::vector<History>& history) {
  std::vector<std::string> ids;
  ids.reserve(diff_ids.size());
  for (const Digest& d : diff_ids) ids.push_back(d.ToString());
  // An image with no layers gets "diff_ids": [] where Go would write null:
  // the image-spec requires an array, and clients reject null.
  config.Set("rootfs", json::Value::Object({{"type", json::Value::String("layers")},
                                            {"diff_ids", json::Value::StringArray(ids)}}));
  std::vector<json::Value> entries;
  entries.reserve(history.size());
  for (const History& h : history) entries.push_back(h.ToJson());
  config.Set("history", json::Value::Array(std::move(entries)));
  if (config.Find("created") == nullptr) {
    const History* last = nullptr;
    for (const History& h : history) {
      if (h.created) last = &h;
    }
    config.Set("created", last != nullptr
                              ? json::Value::String(last->created->Format())
                              : json::Value());
  }
  std::vector<json::Value::Member> members = config.members();
  std::sort(members.begin(), members.end(),
            [](const json::Value::Member& a, const json::Value::Member& b) {
              return a.first < b.first;
            });
  return json::Compact(json::Value::Object(std::move(members)));
}

}  // namespace imagewriter
