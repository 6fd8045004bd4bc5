// Checking what `imagewriter diff` reads against the digests that name it.
//
// Every blob diff reads or reports on (a manifest, an index, a config, a
// layer) is hashed with its descriptor's algorithm (sha256 or sha512) and
// must match: otherwise the report would explain bytes that are not the
// image the descriptors describe. A mismatch is an error (exit 2) naming
// the input, the blob's file and both digests. Blobs with equal digests on
// both sides are not read, so not checked (`imagewriter verify` checks a
// whole layout).
#ifndef IMAGEWRITER_DIFF_BLOB_CHECK_H_
#define IMAGEWRITER_DIFF_BLOB_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/digest/digest.h"
#include "src/io/byte_sink.h"
#include "src/layout/blob_source.h"

namespace imagewriter {

// The error for a blob whose bytes hash to `got`, not `want`; OK when equal.
absl::Status CheckDigest(const BlobSource& source, const std::string& name, const Digest& want,
                         const Digest& got);

// Whether `bytes`, read from `name`, hash to `want`.
absl::Status CheckBytes(const BlobSource& source, const std::string& name, const Digest& want,
                        absl::string_view bytes);

// Streams the whole blob, hashing it, and checks it; `also` (when not
// null) sees the same bytes on the way and is finished, so that one read
// both checks a blob and serves what else needs its bytes.
absl::Status VerifyBlob(const BlobSource& source, const std::string& name, const Digest& want,
                        ByteSink* also = nullptr);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_BLOB_CHECK_H_
