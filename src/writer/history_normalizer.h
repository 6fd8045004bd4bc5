// NormalizeLayersAndHistory: BuildKit's rule for reconciling a config's
// history with the layers actually in the image (exporter/containerimage
// writer.go, normalizeLayersAndHistory).
//
// - If more history entries claim a layer than there are layers, the
//   entries past the last layer are marked empty_layer (a warning is added).
// - If fewer, one entry is appended per unaccounted layer, from that layer's
//   metadata (created_by, comment, created).
// - A non-empty entry without `created` takes its layer's created time.
// - Any other entry without `created` then takes a neighbour's: the first
//   time that follows an undated entry (else the last time there is), and
//   past it the time of the dated entry before it. Only a history with no
//   time at all keeps entries without one.
// - With drop_empty_gzip_layers, layers whose blob is the canonical empty
//   gzip tar (sha256:4f4fb700...) are removed and their entries marked
//   empty_layer, as BuildKit originally did. Off by default: current
//   BuildKit keeps them, because dropping them shifts layer indexes.
#ifndef IMAGEWRITER_WRITER_HISTORY_NORMALIZER_H_
#define IMAGEWRITER_WRITER_HISTORY_NORMALIZER_H_

#include <optional>
#include <string>
#include <vector>

#include "src/digest/digest.h"
#include "src/oci/descriptor.h"
#include "src/oci/history.h"

namespace imagewriter {

// The blob digest of the empty tar gzipped as BuildKit and containerd write it.
inline constexpr char kEmptyGzipLayerDigest[] =
    "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";

struct LayerMetadata {
  std::string created_by;
  std::string comment;
  std::optional<Timestamp> created;  // Default: explicit created > epoch > 1970.
};

struct ImageLayer {
  Descriptor descriptor;
  Digest diff_id;
  LayerMetadata metadata;  // Used only when history lacks this layer.
};

struct NormalizedHistory {
  std::vector<ImageLayer> layers;
  std::vector<History> history;
  std::vector<std::string> warnings;
};

NormalizedHistory NormalizeLayersAndHistory(std::vector<ImageLayer> layers,
                                            std::vector<History> history,
                                            bool drop_empty_gzip_layers);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_HISTORY_NORMALIZER_H_
