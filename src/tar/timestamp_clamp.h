// TimestampClamp: rewrites a tar stream so that no time is later than an
// epoch, as BuildKit's rewrite-timestamp does.
//
// Every header's mtime (and the atime/ctime of old GNU headers) later than
// the epoch becomes the epoch; PAX records mtime, atime and ctime are
// clamped the same way (the PAX header is re-sized and its checksum
// recomputed). Entry order, names, owners, modes and data are untouched;
// times at or before the epoch keep their exact bytes. It is a ByteSink
// that forwards the rewritten stream to `out`.
#ifndef IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_
#define IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_

#include <cstdint>
#include <string>

#include "src/io/byte_sink.h"

namespace imagewriter {

class TimestampClamp : public ByteSink {
 public:
  TimestampClamp(int64_t epoch, ByteSink* out) : epoch_(epoch), out_(out) {}
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  uint64_t clamped() const { return clamped_; }  // Times rewritten.

 private:
  enum class State { kHeader, kData, kPax, kEnd };
  absl::Status OnHeader();
  absl::Status OnPax();
  bool ClampField(char* field, size_t width);
  static void FixChecksum(std::string* header);

  int64_t epoch_;
  ByteSink* out_;
  State state_ = State::kHeader;
  std::string block_;
  std::string pax_header_;  // The 'x'/'g' header block held back.
  std::string pax_;         // Its records.
  uint64_t pax_size_ = 0;
  uint64_t remaining_ = 0;  // Data (with padding) still to pass through.
  bool has_size_override_ = false;
  uint64_t size_override_ = 0;
  uint64_t offset_ = 0;
  uint64_t clamped_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_
