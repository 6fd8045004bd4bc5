#include "src/base/compression_kind.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {

absl::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kEstargz:
      return "estargz";
  }
  return "unknown";
}

absl::StatusOr<Compression> ParseCompression(absl::string_view name) {
  if (name == "none" || name == "uncompressed") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  if (name == "estargz") return Compression::kEstargz;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown compression \"", name, "\": expected gzip, estargz, zstd or none"));
}

}  // namespace imagewriter
