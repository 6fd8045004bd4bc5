// Deflate (RFC 1951) block structure, for splicing independently compressed
// pieces into one stream.
//
// A raw deflate stream is a sequence of blocks; the last has its BFINAL bit
// set. FindFinalBlock walks a complete stream block by block, decoding every
// Huffman symbol without producing output, and reports where the final
// block's header and the stream end (as bit offsets, LSB-first as RFC 1951
// packs them). Unfinish turns a complete stream into one that another can
// follow: it clears the final block's BFINAL bit and appends an empty stored
// block (3 zero bits, padding, 00 00 FF FF), which byte-aligns the end, as
// zlib's Z_SYNC_FLUSH does. Unfinished streams followed by one complete
// stream form a single valid stream whose decoded bytes are the pieces'
// concatenation, provided no piece refers back before its own start (true
// of pieces compressed independently).
//
// Walking is for imagewriter's own encoder output, but it is bounds-checked
// and fails cleanly on any malformed input.
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_DEFLATE_BLOCKS_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_DEFLATE_BLOCKS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {
namespace compress_internal {

struct DeflateEnd {
  uint64_t final_header_bit = 0;  // Offset of the final block's BFINAL bit.
  uint64_t end_bit = 0;           // Offset just past its end-of-block code.
};

absl::StatusOr<DeflateEnd> FindFinalBlock(absl::string_view stream);

// FindFinalBlock for two streams at once: walking is a chain of dependent
// table lookups, and two independent chains interleaved in one loop run
// faster on one core than one after the other.
std::pair<absl::StatusOr<DeflateEnd>, absl::StatusOr<DeflateEnd>> FindFinalBlocks(
    absl::string_view first, absl::string_view second);

// Rewrites `stream`, a complete raw deflate stream, in place as described
// above. Bytes after the stream's end are dropped.
absl::Status Unfinish(std::string* stream);
// Unfinish for two streams, walked together.
absl::Status UnfinishBoth(std::string* first, std::string* second);

}  // namespace compress_internal
}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_DEFLATE_BLOCKS_H_
