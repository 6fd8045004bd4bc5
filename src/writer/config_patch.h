// The config rules of BuildKit's image writer (exporter/containerimage/
// writer.go).
//
// EmptyImageConfig: the config of an image built from nothing: platform,
// rootfs.type "layers", config.WorkingDir "/" and the default PATH.
//
// PatchImageConfig (BuildKit's patchImageConfig), in BuildKit's order:
// 1. rootfs becomes type "layers" with the diff_ids of the final layers;
// 2. with an epoch (SOURCE_DATE_EPOCH), history times are clamped
//    (ClampHistory below) and history is rewritten;
// 3. `created`: an explicit one is written as given. Otherwise a `created`
//    already in the config (a base's) is kept byte for byte, unless there
//    is an epoch and it is strictly after it: then it becomes the epoch
//    (a null stays null). A config with no `created` takes that of the last
//    history entry that has one, or null if none has.
// Every other top-level member is left exactly as it was (re-emitted like a
// Go json.RawMessage). The result is compact JSON with top-level keys
// sorted, as Go's json.Marshal of a map writes it.
//
// ClampHistory (the loop in patchImageConfig, BuildKit #4614): the leading
// entries equal to the base's history, entry by entry, keep their times;
// from the first entry that differs on (or from the first, with no base, or
// with clamp_base_history), an entry with no time or a time strictly after
// the epoch gets the epoch, and an earlier time is kept.
// clamp_base_history is imagewriter's: BuildKit before v0.13 clamped the
// base's entries too, and it gives an image with no time after the epoch.
#ifndef IMAGEWRITER_WRITER_CONFIG_PATCH_H_
#define IMAGEWRITER_WRITER_CONFIG_PATCH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/digest/digest.h"
#include "src/json/value.h"
#include "src/oci/history.h"
#include "src/oci/platform.h"
#include "src/oci/timestamp.h"

namespace imagewriter {

inline constexpr char kDefaultPathEnv[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

json::Value EmptyImageConfig(const Platform& platform);

struct ConfigPatch {
  std::vector<Digest> diff_ids;
  std::vector<History> history;  // Normalised (history_normalizer.h).
  // The base's own history, when there is a base: its matching prefix
  // keeps its times.
  std::optional<std::vector<History>> base_history;
  std::optional<Timestamp> epoch;
  bool clamp_base_history = false;
  std::optional<Timestamp> created;  // Explicit: written as given.
};

void ClampHistory(const std::optional<std::vector<History>>& base_history, Timestamp epoch,
                  bool clamp_base_history, std::vector<History>* history);

// `config` must be an object. Returns the config's bytes; fails only if
// the config's `created` is neither null nor an RFC 3339 string.
absl::StatusOr<std::string> PatchImageConfig(json::Value config, ConfigPatch patch);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_CONFIG_PATCH_H_
