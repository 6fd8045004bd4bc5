#include "src/writer/history_normalizer.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {

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
  out.layers = std::move(layers);
  out.history = std::move(history);
  return out;
}

}  // namespace imagewriter
