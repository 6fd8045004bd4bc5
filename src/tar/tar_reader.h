// TarReader: a streaming, validating tar parser that is a ByteSink.
//
// Feed it an uncompressed tar stream in any chunking; it parses every header
// (ustar, GNU and PAX, including GNU long names and PAX size/path overrides),
// verifies header checksums and numeric fields, skips entry data without
// buffering it, and calls the entry callback once per real entry. Memory is
// bounded by one header block plus the current PAX/GNU extension record,
// which is capped. Finish() fails if the stream ends inside a header or an
// entry's data, or is empty. Errors give the byte offset of the offending
// header in the uncompressed stream.
//
// It never writes anything to the filesystem.
#ifndef IMAGEWRITER_TAR_TAR_READER_H_
#define IMAGEWRITER_TAR_TAR_READER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "src/io/byte_sink.h"

namespace imagewriter {

struct TarEntry {
  std::string path;       // After PAX / GNU long-name overrides.
  std::string link_name;  // For hard and symbolic links.
  char type = '0';        // The ustar typeflag ('\0' is reported as '0').
  uint64_t size = 0;      // Bytes of data that follow the header.
  uint64_t mode = 0;
  uint64_t uid = 0;
  uint64_t gid = 0;
  int64_t mtime = 0;
  uint64_t header_offset = 0;  // Offset of the entry's first header block.
  uint64_t data_offset = 0;    // Offset of the entry's first data byte.
};

class TarReader : public ByteSink {
 public:
  using EntryCallback = std::function<absl::Status(const TarEntry&)>;

  // Largest PAX or GNU long-name record accepted.
  static constexpr uint64_t kMaxExtensionRecord = 1 << 20;

  explicit TarReader(EntryCallback on_entry = nullptr)
      : on_entry_(std::move(on_entry)) {}

  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  uint64_t entry_count() const { return entry_count_; }
  bool saw_end_marker() const { return state_ == State::kEnd; }

 private:
  enum class State { kHeader, kData, kExtension, kEnd };

  absl::Status ParseHeader();
  absl::Status FinishExtension();
  absl::Status Error(uint64_t offset, absl::string_view what) const;

  EntryCallback on_entry_;
  State state_ = State::kHeader;
  uint64_t offset_ = 0;        // Bytes consumed so far.
  std::string block_;          // Partial header block.
  uint64_t remaining_ = 0;     // Data + padding bytes left in this entry.
  uint64_t entry_count_ = 0;

  // Extension record being collected ('x', 'g', 'L' or 'K').
  char extension_type_ = 0;
  uint64_t extension_size_ = 0;
  std::string extension_;
  uint64_t pending_header_offset_ = 0;
  bool has_pending_header_offset_ = false;

  // Overrides for the next real entry, from PAX or GNU records.
  std::string next_path_, next_link_;
  bool has_next_size_ = false;
  uint64_t next_size_ = 0;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TAR_READER_H_
