// The codecs of the layer encodings (src/base/compression_kind.h), and
// detection of an input's encoding from its first bytes.
//
// Detection uses magic numbers only (gzip 1f 8b, zstd 28 b5 2f fd, and a
// zstd skippable frame 5? 2a 4d 18, which RFC 8878 §3.1.2 allows before the
// first frame); anything else is treated as an uncompressed tar and left to
// the tar reader to judge. Detection never says kEstargz: an eStargz blob is
// gzip by its magic, and only its end tells it apart (src/estargz).
#ifndef IMAGEWRITER_COMPRESS_COMPRESSION_H_
#define IMAGEWRITER_COMPRESS_COMPRESSION_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/base/compression_kind.h"
#include "src/compress/gzip_member_encoder.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

// Needs at least 4 bytes of the stream, or the whole stream if shorter.
Compression DetectCompression(absl::string_view prefix);

// Default and valid levels per compression: gzip 0..12 (0: stored blocks,
// the bytes of Go's gzip.NoCompression; 1..12: libdeflate's levels; default
// 2), estargz 0..12 (as gzip; 0: Go's stored layout with eStargz's flushes),
// zstd 1..19 (default 3). CheckLevel's error names the option
// kOptionLevel (base/status.h WithOption).
inline constexpr char kOptionLevel[] = "level";
int DefaultLevel(Compression c);
absl::Status CheckLevel(Compression c, int level);

// A sink that decodes its input and appends the decoded bytes to `out`.
// Finish() fails if the stream is truncated or corrupt; errors give the
// offset in the compressed stream; if it succeeds it finishes `out`. For
// kNone it forwards bytes (and Finish) unchanged; kEstargz decodes as gzip.
// The decoded bytes are meant to be a tar: if they start with a gzip or
// zstd magic (an input compressed twice) the decoder says so, instead of
// leaving the tar parser to report a malformed header.
std::unique_ptr<ByteSink> NewDecoder(Compression c, ByteSink* out);

// NewDecoder(kGzip, out) that also calls on_member with the compressed
// offset of each member's first byte as the member starts, before any of
// its bytes reach `out`: eStargz's TOC names members by offset, and its
// reader checks they start where the decoded stream says. (Until 4 bytes
// are decoded `out` may lag behind by those; see above.)
std::unique_ptr<ByteSink> NewGzipDecoder(ByteSink* out,
                                         std::function<void(uint64_t offset)> on_member);

// A sink that encodes its input and appends the encoded bytes to `out`,
// using up to `threads` threads; Finish writes the end of the stream and
// finishes `out`. The output is a pure function of the input
// bytes, the compression and the level: independent of chunking, thread
// count, CPU, time and host. kEstargz needs the tar's structure and is
// src/estargz's encoder: here it gives a sink that fails.
std::unique_ptr<ByteSink> NewEncoder(Compression c, int level, ByteSink* out, int threads = 1);

// A GzipMemberEncoder (gzip_member_encoder.h) at levels 0..12, as gzip's:
// level 0 is Go's stored layout byte for byte, flushes included.
std::unique_ptr<GzipMemberEncoder> NewGzipMemberEncoder(int level, ByteSink* out, int threads);

// The default thread count: the machine's cores, at most 8.
int DefaultThreads();

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_COMPRESSION_H_
