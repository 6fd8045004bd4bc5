#include "src/writer/history_normalizer.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {

namespace {

// BuildKit's last step: an entry still without a time (an empty_layer one)
// takes the first time that follows an undated entry, or, with none, the
// last time in the history; past that point each undated entry takes the
// time of the dated entry before it.
void FillMissingTimes(std::vector<History>* history) {
  std::optional<Timestamp> created;
  bool undated_seen = false;
  for (const History& h : *history) {
    if (h.created) {
      created = h.created;
      if (undated_seen) break;
    } else {
      undated_seen = true;
    }
  }
  undated_seen = false;
  for (History& h : *history) {
    if (h.created) {
      if (undated_seen) created = h.created;
    } else {
      undated_seen = true;
      h.created = created;
    }
  }
}

}  // namespace

NormalizedHistory NormalizeLayersAndHistory(std::vector<ImageLayer> layers,
                                            std::vector<History> history,
                                            bool drop_empty_gzip_layers) {
  NormalizedHistory out;
  size_t history_layers = 0;
  for (const History& h : history) {
    if (!h.empty_layer) ++history_layers;
  }
  if (history_layers > layers.size()) {
    out.warnings.push_back(absl::StrCat(
        "history has ", history_layers, " entries for layers but the image has ",
        layers.size(), " layers; marking the extra entries empty_layer"));
    size_t seen = 0;
    for (History& h : history) {
      if (seen >= layers.size()) h.empty_layer = true;
      if (!h.empty_layer) ++seen;
    }
  }
  for (size_t i = history_layers; i < layers.size(); ++i) {
    History h;
    h.created = layers[i].metadata.created;
    h.created_by = layers[i].metadata.created_by;
    h.comment = layers[i].metadata.comment;
    history.push_back(std::move(h));
  }
  size_t layer_index = 0;
  for (History& h : history) {
    if (h.empty_layer) continue;
    if (!h.created) h.created = layers[layer_index].metadata.created;
    if (drop_empty_gzip_layers &&
        layers[layer_index].descriptor.digest.ToString() == kEmptyGzipLayerDigest) {
      h.empty_layer = true;
      layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(layer_index));
    } else {
      ++layer_index;
    }
  }
  FillMissingTimes(&history);
  out.layers = std::move(layers);
  out.history = std::move(history);
  return out;
}

}  // namespace imagewriter
