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
// is stable across rebuilds of already-compressed inputs.
//
// eStargz (src/estargz) is gzip whose uncompressed stream is the tar and
// then the TOC's tar, so its diffID is that stream's sha256, as BuildKit
// computes it; the descriptor gets the annotations
// containerd.io/snapshot/stargz/toc.digest and
// io.containers.estargz.uncompressed-size (these two replace any given
// ones). An input file that already is eStargz passes through with its
// annotations recovered, once its TOC has been checked against its tar in
// the same pass (src/estargz/toc_verifier.h; a TOC that does not describe
// the tar is an error). That pass is its one full read: the blob is written
// from it, never copied by the kernel from a second read; only the TOC is
// read before it, from the file's end (bounded; the stream must then carry
// the same TOC). One re-encoded (force_recompress,
// rewrite_timestamp) is read up to its TOC, as BuildKit unpacks it. The
// eStargz encoder, and a pass-through's check, hold the TOC in memory
// (estargz_writer.h, toc_parse.h: bounded). Memory use is otherwise a few
// fixed buffers whatever the layer's size.
#ifndef IMAGEWRITER_WRITER_LAYER_WRITER_H_
#define IMAGEWRITER_WRITER_LAYER_WRITER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

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
  // Decompression-bomb guard: fail once the uncompressed tar exceeds
  // max_uncompressed_bytes, or (past 64 MiB) max_ratio times the compressed
  // bytes read so far. 0 turns a limit off.
  uint64_t max_uncompressed_bytes = 256ULL << 30;
  uint64_t max_ratio = 100000;
  // Accept entries written through a symlink of the same layer that points
  // out of the root (`lib -> /etc`, then `lib/passwd`); see PathSafety.
  bool allow_writes_through_symlinks = false;
};

struct LayerResult {
  Descriptor descriptor;  // OCI media type for the blob's compression.
  Digest diff_id;
  Compression input_compression = Compression::kNone;
  bool passed_through = false;
  // Entries that are allowed but suspicious (absolute paths, symlinks whose
  // relative target climbs out of the root), for the caller to report.
  std::vector<std::string> warnings;
};

// Path safety (src/tar/path_safety.h), on the tar as Go's archive/tar reads
// it (src/tar/tar_reader.h): an entry (or hard-link target) whose ".."
// components climb out of the layer's root is refused, and so, unless
// allow_writes_through_symlinks, is an entry under a symlink of the same
// layer that points out of the root; absolute paths and symlinks pointing
// out of the root are themselves allowed (runtimes resolve them inside the
// root) but reported as warnings. Nothing is ever extracted to the host.
//
// Errors name the input path and the offset of the problem. On error no
// file exists at blob_path.
absl::StatusOr<LayerResult> WriteLayer(const LayerOptions& options);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_LAYER_WRITER_H_
