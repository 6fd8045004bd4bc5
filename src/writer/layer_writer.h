// WriteLayer: turns one layer input into a layer blob in one streaming pass.
//
// The input is a tar, plain or gzip/zstd-compressed (detected by magic
// bytes), or a FileTree written as a tar on the fly (no temporary file).
// One pass produces, at once:
//   - the blob in the requested compression, written atomically;
//   - the blob's digest and size (its descriptor);
//   - the diffID: the sha256 of the uncompressed tar;
//   - a validation of every tar header.
// When the input is already in the requested compression its bytes are
// passed through unchanged (unless force_recompress), so a layer's digest
// is stable across rebuilds of already-compressed inputs. Memory use is a
// few fixed buffers whatever the layer's size.
#ifndef IMAGEWRITER_WRITER_LAYER_WRITER_H_
#define IMAGEWRITER_WRITER_LAYER_WRITER_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "src/compress/compression.h"
#include "src/digest/digest.h"
#include "src/oci/descriptor.h"
#include "src/tar/file_tree.h"

namespace imagewriter {

struct LayerOptions {
  std::string input_path;        // A tar (any compression); or
  const FileTree* tree = nullptr;  // files to write as a tar, in the same pass.
  std::string blob_path;
  Compression compression = Compression::kGzip;
  int level = -1;  // -1: the compression's default.
  int threads = 1;  // Encoder threads; the output does not depend on it.
  bool force_recompress = false;
  // Clamps every time in the tar to this epoch (BuildKit's rewrite-timestamp);
  // the tar then changes, so it is always re-encoded.
  std::optional<int64_t> rewrite_timestamp;
  std::map<std::string, std::string> annotations;
};

struct LayerResult {
  Descriptor descriptor;  // OCI media type for the blob's compression.
  Digest diff_id;
  Compression input_compression = Compression::kNone;
  bool passed_through = false;
};

// Errors name the input path and the offset of the problem. On error no
// file exists at blob_path.
absl::StatusOr<LayerResult> WriteLayer(const LayerOptions& options);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_LAYER_WRITER_H_
