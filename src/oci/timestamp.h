// Timestamp: an RFC 3339 instant with the UTC offset it was written in.
//
// Format() reproduces Go's time.Time JSON encoding (RFC3339Nano): fractional
// seconds with trailing zeros trimmed, "Z" for a zero offset, otherwise
// "+hh:mm". Keeping the offset means a base image's history times survive a
// rewrite exactly as BuildKit would re-emit them.
#ifndef IMAGEWRITER_OCI_TIMESTAMP_H_
#define IMAGEWRITER_OCI_TIMESTAMP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

class Timestamp {
 public:
  static absl::StatusOr<Timestamp> Parse(absl::string_view text);
  static Timestamp FromUnixSeconds(int64_t seconds) { return Timestamp(seconds, 0, 0); }
  // Parses a SOURCE_DATE_EPOCH value: decimal seconds since the epoch.
  static absl::StatusOr<Timestamp> FromSourceDateEpoch(absl::string_view text);

  std::string Format() const;
  int64_t unix_seconds() const { return seconds_; }
  int32_t nanos() const { return nanos_; }

  // Compares instants, ignoring the offset.
  bool operator<(const Timestamp& o) const {
    return seconds_ != o.seconds_ ? seconds_ < o.seconds_ : nanos_ < o.nanos_;
  }
  bool operator==(const Timestamp& o) const {
    return seconds_ == o.seconds_ && nanos_ == o.nanos_ &&
           offset_seconds_ == o.offset_seconds_;
  }

 private:
  Timestamp(int64_t seconds, int32_t nanos, int32_t offset_seconds)
      : seconds_(seconds), nanos_(nanos), offset_seconds_(offset_seconds) {}
  int64_t seconds_;        // Unix seconds of the instant.
  int32_t nanos_;          // 0..999999999
  int32_t offset_seconds_; // UTC offset it was written with.
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_TIMESTAMP_H_
