// Comparing two layer blobs, for `imagewriter diff`.
//
// When the uncompressed tars differ (their diffIDs), both are streamed
// entry by entry through the one tar reader (src/tar), decompressed behind
// the decompression guard, and compared: paths only one side has, the
// order of the paths both have, and for each common path its type, mode,
// uid/gid, uname/gname, mtime, link target, device numbers, PAX records
// (other than those the fields above come from) and content, by SHA-256.
// For the first few files whose content differs, the first differing byte
// offset is found by streaming again: once hashing 64 KiB windows of A's
// file, once comparing B's windows to them, once more to compare the one
// window that differs byte by byte. Memory is per-entry metadata and a
// hash per entry (bounded by kMaxEntries and kMaxMetadataBytes), never a
// layer's content.
//
// Every blob is checked against its digest (blob_check.h) on a read that
// happens anyway: hashed as it is first streamed for its tar (not again on
// the offset probe's reads), or, when only the compression is compared,
// streamed once to hash it while keeping the prefix the comparison reads. A blob that does not match is that error,
// even when its tar or codec fails first (it is hashed to the end).
//
// When the tars are the same but the blobs differ, the difference is the
// compression: the codec, or for gzip the header fields (FLG, MTIME, XFL,
// OS, FNAME, FCOMMENT), shown with the header bytes, or else the deflate
// stream itself (another encoder or level).
#ifndef IMAGEWRITER_DIFF_LAYER_DIFF_H_
#define IMAGEWRITER_DIFF_LAYER_DIFF_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "src/compress/decompression_guard.h"
#include "src/diff/report.h"
#include "src/digest/digest.h"
#include "src/layout/blob_source.h"

namespace imagewriter {

inline constexpr uint64_t kMaxEntries = 1 << 20;
inline constexpr uint64_t kMaxMetadataBytes = 256 << 20;

struct LayerBlob {
  const BlobSource* source;
  std::string name;  // The blob's file in the source.
  Digest digest;     // What its descriptor says it hashes to.
  // Already streamed whole and found to match `digest`: a later read of
  // its prefix alone need not stream it again to check it.
  bool checked = false;
};

// Compares the layers' tars, or, when the tars are the same, their
// compression. Differences get `base`'s scope and the subject prefix
// `base.subject` ("layers[2]").
absl::Status CompareLayerBlobs(const LayerBlob& a, const LayerBlob& b, const Difference& base,
                               const DecompressionLimits& limits, DiffReport* report);

// Only the compression of two blobs whose tars are the same; each is
// streamed to check it unless it is `checked`.
absl::Status CompareCompression(const LayerBlob& a, const LayerBlob& b, const Difference& base,
                                DiffReport* report);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_LAYER_DIFF_H_
