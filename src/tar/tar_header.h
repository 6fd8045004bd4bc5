// The one parser of tar header blocks and PAX records, shared by TarReader
// and TimestampClamp.
//
// Contract: a header block and a PAX record set are read exactly as Go's
// archive/tar (Go 1.19 and later: reader.go readHeader, format.go getFormat,
// strconv.go parseNumeric, parsePAXRecord and parsePAXTime) reads them,
// because docker, containerd, BuildKit and moby extract layers with that
// package: a name, size or type we read differently is a file we did not
// check. Where Go fails with ErrHeader, these functions fail too, with a
// message naming the field; the caller adds the input and offset.
#ifndef IMAGEWRITER_TAR_TAR_HEADER_H_
#define IMAGEWRITER_TAR_TAR_HEADER_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace imagewriter {
namespace tar_header {

constexpr size_t kBlock = 512;

// Go's format detection (format.go getFormat): magic "ustar\0" with the
// star trailer "tar\0" at 508 is STAR, magic "ustar\0" is USTAR (the
// version is not checked), magic "ustar " with version " \0" is old GNU,
// anything else V7. It decides which fields are parsed and where the name
// prefix comes from.
enum class Format { kV7, kUstar, kStar, kGnu };

struct Header {
  Format format = Format::kV7;
  char type = '0';        // Byte 156 as stored ('\0' stays '\0').
  std::string name;       // With the prefix joined where Go joins it.
  std::string link_name;
  int64_t size = 0;       // As declared; may be negative (base-256).
  int64_t mode = 0;
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 0;      // Unix seconds; negative before 1970.
  // Read for every format but V7, as Go reads them.
  std::string uname, gname;
  int64_t devmajor = 0, devminor = 0;
};

bool IsZeroBlock(absl::string_view block);

// Checks the checksum and parses every field Go parses for this format
// (an unparsable devmajor is an error too, as in Go). `block` is 512 bytes.
// A checksum error is DataLoss (the block may be no header at all), a field
// error InvalidArgument.
absl::Status ParseHeader(absl::string_view block, Header* out);

// A numeric header field: octal text, or base-256 (two's complement) when
// the first byte has its high bit set. False where Go sets ErrHeader.
bool ParseNumeric(absl::string_view field, int64_t* value);

// strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, no
// overflow.
bool ParseDecimal(absl::string_view s, int64_t* value);

// A PAX time "<seconds>[.<digits>]" as Unix seconds, rounded down as Go's
// time.Unix(s, -ns).Unix() rounds a negative fraction; `nanos`, if given,
// gets the nanoseconds past those seconds (0..999999999, from the first
// nine digits, as Go keeps them).
bool ParsePaxTime(absl::string_view s, int64_t* seconds, int32_t* nanos = nullptr);

// The records of one PAX extended header, key -> value (a repeated key
// keeps its last value, as Go's map does). GNU.sparse.offset/numbytes
// pairs are joined into GNU.sparse.map, as Go does.
using PaxRecords = std::map<std::string, std::string>;

// One record, as it stands in the data.
struct PaxRecord {
  absl::string_view key, value, raw;
};

// Splits the first record off `data`. Go's record syntax:
// "<length> <key>=<value>\n", the length counting the whole record; a
// non-empty key; no NUL in the values of path, linkpath, uname and gname
// nor in any other key.
absl::Status NextPaxRecord(absl::string_view* data, PaxRecord* record);

// All records, checked as Go's parsePAX checks them.
absl::Status ParsePaxRecords(absl::string_view data, PaxRecords* out);

// Whether Go reads the entry as a GNU sparse file: typeflag 'S', or PAX
// GNU.sparse.major/minor 0.0, 0.1 or 1.0, or (without a version) a
// non-empty GNU.sparse.map.
bool IsSparse(char type, const PaxRecords* pax);

// Types whose data Go never reads, whatever their size field says.
bool IsHeaderOnlyType(char type);

}  // namespace tar_header
}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TAR_HEADER_H_
