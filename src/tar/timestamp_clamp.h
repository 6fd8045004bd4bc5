// TimestampClamp: rewrites a tar stream so that no time is later than an
// epoch, as BuildKit's rewrite-timestamp does.
//
// Contract: the input is read by a TarReader first (tar_reader.h, the same
// parser the layer validator uses), so a header it would refuse is an error
// here too, before anything is rewritten: a bad checksum is never
// "repaired" by the new one a rewrite computes. Every header's mtime (and
// the atime/ctime of old GNU headers, where Go reads them as times) later
// than the epoch becomes the epoch; PAX records mtime, atime and ctime are
// clamped the same way (the PAX header is re-sized and its checksum
// recomputed). Entry order, names, owners, modes and data are untouched;
// times at or before the epoch keep their exact bytes. It is a ByteSink
// that forwards the rewritten stream to `out`, and finishes `out` when it
// is finished.
#ifndef IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_
#define IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_

#include <cstdint>
#include <string>

#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {

class TimestampClamp : public ByteSink {
 public:
  TimestampClamp(int64_t epoch, ByteSink* out);
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  uint64_t clamped() const { return clamped_; }  // Times rewritten.

 private:
  absl::Status OnSegment(TarReader::Segment kind, absl::string_view bytes,
                         const tar_header::Header* header);
  absl::Status OnHeader(absl::string_view block, const tar_header::Header& header);
  absl::Status FlushPax();
  bool ClampField(char* field, size_t width);
  bool ClampPaxTime(absl::string_view value) const;

  int64_t epoch_;
  ByteSink* out_;
  TarReader reader_;        // Validates, and says what each input byte is.
  bool holding_pax_ = false;
  std::string pax_header_;  // The 'x'/'g' header block held back,
  std::string pax_;         // and its records, until they are complete.
  bool record_padding_ = false;  // Dropping the held record's padding.
  uint64_t clamped_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TIMESTAMP_CLAMP_H_
