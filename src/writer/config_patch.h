// The config rules of BuildKit's image writer.
//
// EmptyImageConfig: the config of an image built from nothing: platform,
// rootfs.type "layers", config.WorkingDir "/" and the default PATH.
//
// PatchImageConfig: rewrites rootfs (type + diff_ids of the final layers)
// and history, fills `created` from the last history entry that has one if
// the config has none, and leaves every other top-level member exactly as
// it was (re-emitted like a Go json.RawMessage). The result is compact JSON
// with top-level keys sorted, as Go's json.Marshal of a map writes it.
#ifndef IMAGEWRITER_WRITER_CONFIG_PATCH_H_
#define IMAGEWRITER_WRITER_CONFIG_PATCH_H_

#include <string>
#include <vector>

#include "src/digest/digest.h"
#include "src/json/value.h"
#include "src/oci/history.h"
#include "src/oci/platform.h"

namespace imagewriter {

inline constexpr char kDefaultPathEnv[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

json::Value EmptyImageConfig(const Platform& platform);

// `config` must be an object. Returns the config's bytes.
std::string PatchImageConfig(json::Value config,
                             const std::vector<Digest>& diff_ids,
                             const std::vector<History>& history);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_CONFIG_PATCH_H_
