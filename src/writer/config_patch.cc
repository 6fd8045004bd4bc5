#include "src/writer/config_patch.h"

#include <algorithm>

#include "src/base/status.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace {

// Go's reflect.DeepEqual on two ocispec.History values: every field, and
// times equal in instant and in the offset they were written with.
bool SameEntry(const History& a, const History& b) {
  return a.created == b.created && a.created_by == b.created_by && a.author == b.author &&
         a.comment == b.comment && a.empty_layer == b.empty_layer;
}

// Step 3 of PatchImageConfig for a config that has `created`.
absl::Status ClampCreated(const std::optional<Timestamp>& epoch, json::Value* config) {
  const json::Value* created = config->Find("created");
  if (created == nullptr || created->is_null() || !epoch) return absl::OkStatus();
  if (!created->is_string()) {
    return absl::InvalidArgumentError("config created: expected an RFC 3339 string or null");
  }
  absl::StatusOr<Timestamp> t = Timestamp::Parse(created->text());
  if (!t.ok()) return WithContext("config created", t.status());
  if (*epoch < *t) config->Set("created", json::Value::String(epoch->Format()));
  return absl::OkStatus();
}

// Step 3 for a config without `created`: the last dated history entry's.
json::Value CreatedFromHistory(const std::vector<History>& history) {
  const History* last = nullptr;
  for (const History& h : history) {
    if (h.created) last = &h;
  }
  return last != nullptr ? json::Value::String(last->created->Format()) : json::Value();
}

}  // namespace

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

void ClampHistory(const std::optional<std::vector<History>>& base_history, Timestamp epoch,
                  bool clamp_base_history, std::vector<History>* history) {
  // One way: once an entry differs from the base's, every later one is
  // checked, even one that matches a later base entry.
  bool diverged = clamp_base_history || !base_history;
  for (size_t i = 0; i < history->size(); ++i) {
    History& h = (*history)[i];
    if (!diverged && i < base_history->size() && SameEntry(h, (*base_history)[i])) continue;
    diverged = true;
    if (!h.created || epoch < *h.created) h.created = epoch;
  }
}

absl::StatusOr<std::string> PatchImageConfig(json::Value config, ConfigPatch patch) {
  std::vector<std::string> ids;
  ids.reserve(patch.diff_ids.size());
  for (const Digest& d : patch.diff_ids) ids.push_back(d.ToString());
  // An image with no layers gets "diff_ids": [] where Go would write null:
  // the image-spec requires an array, and clients reject null.
  config.Set("rootfs", json::Value::Object({{"type", json::Value::String("layers")},
                                            {"diff_ids", json::Value::StringArray(ids)}}));
  if (patch.epoch) {
    ClampHistory(patch.base_history, *patch.epoch, patch.clamp_base_history, &patch.history);
  }
  std::vector<json::Value> entries;
  entries.reserve(patch.history.size());
  for (const History& h : patch.history) entries.push_back(h.ToJson());
  config.Set("history", json::Value::Array(std::move(entries)));
  if (patch.created) {
    config.Set("created", json::Value::String(patch.created->Format()));
  } else if (config.Find("created") != nullptr) {
    absl::Status s = ClampCreated(patch.epoch, &config);
    if (!s.ok()) return s;
  } else {
    config.Set("created", CreatedFromHistory(patch.history));
  }
  std::vector<json::Value::Member> members = config.members();
  std::sort(members.begin(), members.end(),
            [](const json::Value::Member& a, const json::Value::Member& b) {
              return a.first < b.first;
            });
  return json::Compact(json::Value::Object(std::move(members)));
}

}  // namespace imagewriter
