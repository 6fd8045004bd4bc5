// StreamLayer: a layer blob's tar, entry by entry, through the one tar
// reader, behind the codec its magic bytes name and the decompression
// guard. The callbacks see each entry (with the PAX records of its 'x'
// header, if any) and then its data in chunks. Nothing is buffered beyond
// the reader's own bounded state.
//
// Unless blob.checked, the blob is hashed on the same read and must match
// blob.digest; a blob that does not is that error, even when its codec or
// tar failed first (the rest is then hashed without being decoded). The
// callbacks may have seen its entries before the error.
#ifndef IMAGEWRITER_DIFF_LAYER_STREAM_H_
#define IMAGEWRITER_DIFF_LAYER_STREAM_H_

#include <functional>

#include "absl/status/status.h"
#include "src/base/compression_kind.h"
#include "src/compress/decompression_guard.h"
#include "src/digest/digest.h"
#include "src/diff/layer_diff.h"
#include "src/tar/tar_header.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

struct LayerCallbacks {
  std::function<absl::Status(const TarEntry&, const tar_header::PaxRecords&)> on_entry;
  std::function<absl::Status(absl::string_view)> on_data;  // The current entry's bytes.
};

struct LayerFacts {
  Digest diff_id;
  Compression compression = Compression::kNone;
};

absl::Status StreamLayer(const LayerBlob& blob, const DecompressionLimits& limits,
                         const LayerCallbacks& callbacks, LayerFacts* facts);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_LAYER_STREAM_H_
