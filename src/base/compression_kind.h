// Compression: the layer encodings, as a value.
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

// kEstargz is gzip laid out as eStargz (src/estargz): a gzip stream to
// every reader, written by its own encoder.
enum class Compression { kNone, kGzip, kZstd, kEstargz };

// "none", "gzip", "zstd" or "estargz".
absl::string_view CompressionName(Compression c);
// Also accepts "uncompressed" for kNone.
absl::StatusOr<Compression> ParseCompression(absl::string_view name);

}  // namespace imagewriter

#endif  // IMAGEWRITER_BASE_COMPRESSION_KIND_H_
