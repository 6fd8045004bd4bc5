// DetectEstargz: whether a gzip file already is an eStargz blob, so that a
// layer asked to be eStargz can keep its bytes (BuildKit's
// util/compression/estargz.go: NeedsConversion is false when Is() holds).
//
// As Is() decides it: the last 51 bytes are an eStargz footer (footer.h),
// and the gzip data from the TOC offset it names to the end decodes to a
// tar holding exactly one entry, stargz.index.json. Beyond Is(), the TOC
// must be one ParseToc reads (toc_parse.h: strict JSON, bounded memory).
// The annotations come back from the blob: the TOC JSON's sha256; the
// uncompressed size is the whole blob's, which the caller counts as it
// decodes the blob anyway. The TOC's entries come back too: a blob passed
// through is checked against them as it streams (toc_verifier.h), since
// nothing here looks at the tar they describe.
//
// It reads the file by offset (pread) and leaves the read position alone.
#ifndef IMAGEWRITER_ESTARGZ_ESTARGZ_READER_H_
#define IMAGEWRITER_ESTARGZ_ESTARGZ_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/digest/digest.h"
#include "src/estargz/toc.h"

namespace imagewriter {

struct EstargzBlob {
  uint64_t toc_offset = 0;  // Of the TOC's gzip member.
  Digest toc_digest;
  std::shared_ptr<const std::vector<estargz::TocEntry>> entries;
};

// The largest TOC JSON accepted, decompressed.
inline constexpr uint64_t kMaxTocBytes = 256 << 20;

// nullopt when the file is no eStargz blob (for any reason above); an error
// only when it cannot be read, or when it has an eStargz footer but a
// broken TOC, which is said in the error.
absl::StatusOr<std::optional<EstargzBlob>> DetectEstargz(int fd, const std::string& path);

}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_ESTARGZ_READER_H_
