// The eStargz footer: the last 51 bytes of a blob, an empty gzip member
// whose header's extra field holds the TOC member's offset (estargz
// gzip.go gzipFooterBytes, types.go FooterSize).
//
// Layout, as Go's gzip writer emits it at NoCompression with Extra set:
//   1f 8b 08 04 00000000 00 ff        header: FEXTRA, MTIME 0, XFL 0, OS 255
//   1a 00                             XLEN 26
//   'S' 'G' 16 00 "%016x" "STARGZ"    one subfield, LEN 22: the TOC offset
//                                     in lowercase hex, then the magic
//   01 00 00 ff ff                    an empty final stored block
//   00000000 00000000                 CRC-32 and ISIZE of nothing
// Readers also accept the legacy 47-byte stargz footer (no subfield
// header); imagewriter neither writes nor recognises it.
#ifndef IMAGEWRITER_ESTARGZ_FOOTER_H_
#define IMAGEWRITER_ESTARGZ_FOOTER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {
namespace estargz {

inline constexpr size_t kFooterSize = 51;

std::string FooterBytes(uint64_t toc_offset);

// The TOC offset from a footer, which must be exactly the bytes
// FooterBytes writes for it; anything else is no eStargz footer.
absl::StatusOr<uint64_t> ParseFooter(absl::string_view footer);

}  // namespace estargz
}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_FOOTER_H_
