// FindContentOffsets: the first byte at which a file's content differs
// between two layers, without holding either file.
//
// Three more streams of the layers: A's target files are hashed in 64 KiB
// windows (SHA-256 cut to 128 bits, at most kMaxWindows in all: 64 MiB);
// B's are hashed the same way and compared window by window, keeping B's
// bytes of the first window that differs; then A's bytes of that window
// are compared with them byte by byte. An offset is wrong only if two
// different windows before it share 128 bits of SHA-256. Memory: the
// window hashes plus two windows per target.
#ifndef IMAGEWRITER_DIFF_CONTENT_PROBE_H_
#define IMAGEWRITER_DIFF_CONTENT_PROBE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "src/compress/decompression_guard.h"
#include "src/diff/layer_diff.h"

namespace imagewriter {

// Files per layer pair whose first differing offset is looked for.
inline constexpr size_t kMaxContentTargets = 8;
inline constexpr size_t kContentWindow = 64 << 10;
inline constexpr uint64_t kMaxWindows = 4 << 20;

struct ContentTarget {
  size_t a_entry = 0, b_entry = 0;  // Ordinals of the entries in each tar.
  std::optional<uint64_t> offset;   // Set by FindContentOffsets when found.
};

absl::Status FindContentOffsets(const LayerBlob& a, const LayerBlob& b, const DecompressionLimits& limits,
                                std::vector<ContentTarget>* targets);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_CONTENT_PROBE_H_
