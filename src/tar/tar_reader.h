// TarReader: a streaming, validating tar parser that is a ByteSink.
//
// Contract: it reads a tar exactly as Go's archive/tar reads it (Go 1.19+,
// reader.go), because container runtimes extract layers with that package
// and a path check is only as good as its agreement with the extractor:
//   - every header's checksum and numeric fields are checked (tar_header.h);
//   - GNU long names/links ('L'/'K') win over PAX path/linkpath in either
//     order; only the last PAX 'x' header before an entry applies; a PAX
//     global header ('g') drops everything pending and is not reported;
//   - the USTAR/STAR prefix is joined to the name as Go joins it;
//   - typeflag '\0' is a directory if the name ends in '/', as in Go, and
//     then, like links and devices, carries no data whatever its size says;
//   - a zero block followed by a non-zero block is an error;
//   - GNU sparse files (type 'S' or PAX GNU.sparse.*) are refused;
//   - an entry with an empty name is refused (Go accepts it; we do not).
// Feed it an uncompressed tar in any chunking; it skips entry data without
// buffering it and calls the entry callback once per real entry. Memory is
// one header block plus the current PAX/GNU record (capped at 1 MiB, as in
// Go). Finish() fails where Go's reader would: inside a header, inside
// entry or record data (not inside the padding after it), or on an empty
// input (Go accepts that one; an empty file is no layer). Errors give the
// byte offset of the offending header in the uncompressed stream.
//
// It never writes anything to the filesystem.
#ifndef IMAGEWRITER_TAR_TAR_READER_H_
#define IMAGEWRITER_TAR_TAR_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "src/io/byte_sink.h"
#include "src/tar/tar_header.h"

namespace imagewriter {

struct TarEntry {
  std::string path;       // After PAX / GNU long-name overrides.
  std::string link_name;  // For hard and symbolic links.
  char type = '0';        // The typeflag; '\0' is reported as '0' or '5', as Go does.
  uint64_t size = 0;      // Bytes of data that follow the header (0 for header-only types).
  int64_t mode = 0;       // Go's values: base-256 fields may be negative.
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 0;      // Unix seconds (PAX fractions rounded down, as Go).
  int32_t mtime_nanos = 0;  // The PAX fraction past mtime, 0..999999999.
  std::string uname, gname;  // After PAX overrides; empty in V7 headers.
  int64_t devmajor = 0, devminor = 0;
  // PAX SCHILY.xattr.<name> records, name -> value (empty values too, as
  // Go's Header.PAXRecords keeps them).
  std::map<std::string, std::string> xattrs;
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

  // Every input byte, in order, with what it is to the reader: a header
  // block (after it passed validation; `header` is its own fields, before
  // PAX and GNU overrides), extension record data, entry data, padding, or
  // the end marker and what follows. Lets a rewriter (TimestampClamp) follow
  // the stream's structure without a parser of its own.
  enum class Segment { kHeader, kRecord, kData, kPadding, kEnd };
  using SegmentCallback = std::function<absl::Status(
      Segment kind, absl::string_view bytes, const tar_header::Header* header)>;
  void set_segment_callback(SegmentCallback on_segment) { on_segment_ = std::move(on_segment); }

  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

  bool saw_end_marker() const { return state_ == State::kEnd; }

 private:
  enum class State { kHeader, kAfterZero, kData, kExtension, kPadding, kEnd };

  absl::Status ParseHeader();
  absl::Status StartExtension(const tar_header::Header& header);
  absl::Status FinishExtension();
  absl::Status StartEntry(tar_header::Header header);
  absl::Status ApplyPax(tar_header::Header* header, int32_t* mtime_nanos) const;
  absl::Status Error(uint64_t offset, absl::string_view what) const;
  void ExpectData(uint64_t size, State state);
  void ClearPending();

  absl::Status Forward(Segment kind, absl::string_view bytes,
                       const tar_header::Header* header = nullptr) const;

  EntryCallback on_entry_;
  SegmentCallback on_segment_;
  State state_ = State::kHeader;
  uint64_t offset_ = 0;      // Bytes consumed so far.
  std::string block_;        // Partial header block.
  uint64_t data_left_ = 0;   // Entry or record data still to come,
  uint64_t pad_left_ = 0;    // then padding to the next block.

  // The extension record being collected ('x', 'g', 'L' or 'K').
  char extension_type_ = 0;
  uint64_t extension_offset_ = 0;
  std::string extension_;

  // What applies to the next real entry: the last PAX 'x' records and the
  // last GNU long name and link, and where the entry's first header was.
  bool pending_ = false;
  uint64_t pending_offset_ = 0;
  std::optional<tar_header::PaxRecords> pax_;
  std::string long_name_, long_link_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TAR_READER_H_
