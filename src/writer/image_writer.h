// BuildImage: config + manifest for one platform, from layer descriptors
// only. It never reads layer bytes, so its cost does not grow with them.
//
// The steps are those of BuildKit's image writer (Commit /
// commitDistributionManifest), with a frontend step in front:
//   1. start from the base config, or BuildKit's empty config;
//   2. set the platform and apply the config fragments;
//   3. append new history (explicit entries, then per-layer metadata; a
//      layer without a time takes explicit created > SOURCE_DATE_EPOCH >
//      1970-01-01T00:00:00Z);
//   4. normalise layers and history (history_normalizer.h);
//   5. patch the config as BuildKit does (config_patch.h): rootfs, history
//      times clamped to SOURCE_DATE_EPOCH past the base's own prefix, and
//      `created` (explicit, else the base's clamped, else the last
//      history entry's);
//   6. write the manifest in the requested media-type flavour, with the
//      layer annotations BuildKit lets through (layer_annotations.h).
#ifndef IMAGEWRITER_WRITER_IMAGE_WRITER_H_
#define IMAGEWRITER_WRITER_IMAGE_WRITER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/json/value.h"
#include "src/oci/descriptor.h"
#include "src/oci/history.h"
#include "src/oci/media_types.h"
#include "src/oci/platform.h"
#include "src/oci/timestamp.h"
#include "src/writer/config_fragments.h"
#include "src/writer/history_normalizer.h"

namespace imagewriter {

// A base image, as src/request/base_image.h reads and checks it: the
// writer builds on it without checking it again.
struct BaseImage {
  json::Value config;  // A JSON object.
  // The manifest's layer descriptors, bottom first, each with its diffID
  // from the config's rootfs.diff_ids; their metadata is the writer's to set.
  std::vector<ImageLayer> layers;
  std::vector<History> history;      // The config's.
  std::optional<Platform> platform;  // The config's, when it names one.
  // The base manifest's descriptor, when known: adds the
  // org.opencontainers.image.base.digest (and base.name) annotations.
  std::optional<Descriptor> descriptor;
};

struct ImageSpec {
  std::optional<BaseImage> base;
  std::vector<ImageLayer> layers;  // New layers, bottom first.
  std::vector<History> history;    // Explicit entries after the base's.
  ConfigFragment fragment;
  std::map<std::string, std::string> annotations;  // Manifest annotations.
  std::optional<Platform> platform;  // Default: the base's, else linux/amd64.
  std::optional<Timestamp> created;  // Explicit: wins over every rule.
  std::optional<Timestamp> source_date_epoch;
  // Clamp the base's history (and so a `created` taken from it) to the
  // epoch too; needs source_date_epoch.
  bool clamp_base_history = false;
  MediaFlavor flavor = MediaFlavor::kOci;
  bool drop_empty_gzip_layers = false;
};

struct ImageOutput {
  std::string config;
  std::string manifest;
  Descriptor config_descriptor;
  Descriptor manifest_descriptor;  // With the image's platform.
  std::vector<std::string> warnings;
};

absl::StatusOr<ImageOutput> BuildImage(ImageSpec spec);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_IMAGE_WRITER_H_
