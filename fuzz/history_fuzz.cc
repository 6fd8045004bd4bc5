// Fuzzes history normalisation and config patching with random histories
// and layer counts. Invariants (BuildKit's): afterwards every layer has
// exactly one non-empty history entry; after clamping, no entry past the
// base's prefix is undated or later than the epoch.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>

#include "src/json/parser.h"
#include "src/writer/config_patch.h"
#include "src/writer/history_normalizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  using namespace imagewriter;  // NOLINT
  const size_t layer_count = data[0] % 64;
  const bool drop = data[1] & 1;
  std::vector<ImageLayer> layers;
  for (size_t i = 0; i < layer_count; ++i) {
    ImageLayer l;
    l.descriptor.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    l.descriptor.digest = (i % 5 == 3) ? *Digest::Parse(kEmptyGzipLayerDigest)
                                       : Digest::Sha256Of(std::to_string(i));
    l.diff_id = Digest::Sha256Of("d" + std::to_string(i));
    l.metadata.created_by = "layer";
    l.metadata.created = Timestamp::FromUnixSeconds(100);  // As BuildImage sets it.
    layers.push_back(l);
  }
  std::vector<History> history;
  for (size_t i = 2; i < size; ++i) {
    History h;
    h.empty_layer = data[i] & 1;
    if (data[i] & 2) h.created = Timestamp::FromUnixSeconds(data[i]);
    h.created_by = std::string(data[i] % 4, 'x');
    history.push_back(h);
  }
  NormalizedHistory n = NormalizeLayersAndHistory(layers, history, drop);
  size_t non_empty = 0;
  for (const History& h : n.history) non_empty += !h.empty_layer;
  if (non_empty != n.layers.size()) abort();
  for (const History& h : n.history) {
    if (!h.empty_layer && !h.created) abort();
  }
  // Clamping: the first entries stand for a base's history; past the
  // base's prefix (or everywhere, with clamp_base_history) no time may be
  // missing or after the epoch.
  ConfigPatch patch;
  for (const ImageLayer& l : n.layers) patch.diff_ids.push_back(l.diff_id);
  const size_t base_entries = std::min<size_t>(data[1] >> 2, n.history.size());
  patch.base_history.emplace(n.history.begin(), n.history.begin() + base_entries);
  patch.clamp_base_history = data[1] & 2;
  const Timestamp epoch = Timestamp::FromUnixSeconds(data[0]);
  std::vector<History> clamped = n.history;
  ClampHistory(patch.base_history, epoch, patch.clamp_base_history, &clamped);
  for (size_t i = patch.clamp_base_history ? 0 : base_entries; i < clamped.size(); ++i) {
    if (!clamped[i].created || epoch < *clamped[i].created) abort();
  }
  patch.history = n.history;
  patch.epoch = epoch;
  absl::StatusOr<std::string> config =
      PatchImageConfig(EmptyImageConfig(*Platform::Parse("linux/amd64")), std::move(patch));
  if (!config.ok() || !json::Parse(*config, "patched").ok()) abort();
  return 0;
}
