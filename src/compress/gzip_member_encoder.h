// GzipMemberEncoder: the interface of a gzip encoder whose members the
// caller cuts. Its own header, so that the codec behind it (internal/
// parallel_gzip.h) and the public factory (compression.h) can share it.
#ifndef IMAGEWRITER_COMPRESS_GZIP_MEMBER_ENCODER_H_
#define IMAGEWRITER_COMPRESS_GZIP_MEMBER_ENCODER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "src/io/byte_sink.h"

namespace imagewriter {

// A gzip encoder whose output is a series of members, cut where the caller
// says (eStargz starts a member at every file's data). Finish ends the last
// member and finishes `out`; the output has the same guarantees as
// NewEncoder's, the member boundaries being part of the input.
class GzipMemberEncoder : public ByteSink {
 public:
  // How a member ends. Go's gzip.Writer, closed, ends the deflate data
  // with an empty final stored block (01 00 00 ff ff); Flush() before
  // Close() puts an empty non-final stored block (00 00 00 ff ff, a sync
  // marker) in front of it, as eStargz's writer does at every chunk.
  enum class End { kClose, kFlushAndClose };
  // Ends the current member; the next byte appended starts a new one. A
  // member may be empty.
  virtual absl::Status EndMember(End end) = 0;
  // Writes every ended member out (without finishing `out`) and returns
  // the offset in the output at which each member so far starts.
  virtual absl::StatusOr<std::vector<uint64_t>> Drain() = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_GZIP_MEMBER_ENCODER_H_
