// Compression: the three layer encodings, as a value.
//
// This header names the encodings and nothing more: it pulls in no codec,
// so the OCI model (media types map an encoding to a layer media type) can
// speak of an encoding without linking zlib, libdeflate or zstd, and without
// depending on the compress module at all. The codecs
// are in src/compress/compression.h.
#ifndef IMAGEWRITER_BASE_COMPRESSION_KIND_H_
#define IMAGEWRITER_BASE_COMPRESSION_KIND_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

enum class Compression { kNone, kGzip, kZstd };

// "none", "gzip" or "zstd".
absl::string_view CompressionName(Compression c);
// Also accepts "uncompressed" for kNone.
absl::StatusOr<Compression> ParseCompression(absl::string_view name);

}  // namespace imagewriter

#endif  // IMAGEWRITER_BASE_COMPRESSION_KIND_H_
