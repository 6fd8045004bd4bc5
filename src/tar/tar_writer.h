// TarWriter: writes a deterministic POSIX tar stream into a ByteSink.
//
// Headers are ustar with PAX extended headers only where ustar cannot hold
// a value: names longer than ustar's name/prefix split allows, link targets
// over 100 bytes, sizes of 8 GiB and over, and ids or times out of octal
// range. Nothing host-dependent is written: uname/gname are empty unless
// set, there are no atime/ctime records, and PAX headers are named
// "<dir>/PaxHeaders.0/<base>" as Go's archive/tar names them. The caller
// chooses the order of entries; the archive ends with two zero blocks.
//
// Usage: for each entry, WriteHeader(), then exactly `size` bytes through
// Append(), then the next WriteHeader() or Finish() pads the entry.
#ifndef IMAGEWRITER_TAR_TAR_WRITER_H_
#define IMAGEWRITER_TAR_TAR_WRITER_H_

#include <cstdint>
#include <string>

#include "src/io/byte_sink.h"

namespace imagewriter {

struct TarHeader {
  std::string path;
  char type = '0';  // '0' file, '1' hard link, '2' symlink, '5' directory.
  std::string link_name;
  uint64_t size = 0;
  uint32_t mode = 0644;
  uint64_t uid = 0;
  uint64_t gid = 0;
  std::string uname;
  std::string gname;
  int64_t mtime = 0;
};

class TarWriter : public ByteSink {
 public:
  explicit TarWriter(ByteSink* out) : out_(out) {}
  absl::Status WriteHeader(const TarHeader& header);
  // Entry data; the total must equal the header's size.
  absl::Status Append(absl::string_view data) override;
  // Pads the last entry, writes the end-of-archive marker and finishes
  // the output sink.
  absl::Status Finish() override;

 private:
  absl::Status CloseEntry();
  absl::Status Emit(absl::string_view data);
  ByteSink* out_;
  uint64_t remaining_ = 0;  // Data bytes still owed by the current entry.
  uint64_t entry_size_ = 0;
  std::string entry_path_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TAR_WRITER_H_
