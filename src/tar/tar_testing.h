// Test helpers that build small ustar/PAX archives byte by byte, so tests do
// not depend on the host's tar.
#ifndef IMAGEWRITER_TAR_TAR_TESTING_H_
#define IMAGEWRITER_TAR_TAR_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace testing_tar {

// One 512-byte ustar header with a correct checksum.
std::string Header(absl::string_view name, uint64_t size, char type = '0',
                   absl::string_view link = "");
// Header + data + padding for a regular file.
std::string File(absl::string_view name, absl::string_view data);
// A PAX 'x' extended header carrying the given records, e.g. {"path", ...}.
std::string Pax(absl::string_view key, absl::string_view value);
// A PAX header of `type` ('x' or 'g') carrying several records in order.
std::string PaxRecords(const std::vector<std::pair<std::string, std::string>>& records,
                       char type = 'x');
// A GNU long name ('L') or long link ('K') record.
std::string GnuLong(char type, absl::string_view value);
// Recomputes a header block's checksum after a test edited its fields.
std::string Rechecksum(std::string header);
// The two zero blocks that end an archive.
std::string End();
// The entries TarReader reads from a whole archive, or its error; whether
// the archive ended with the end-of-archive marker, if asked.
absl::StatusOr<std::vector<TarEntry>> ReadEntries(absl::string_view tar,
                                                  bool* saw_end_marker = nullptr);

}  // namespace testing_tar
}  // namespace imagewriter

#endif  // IMAGEWRITER_TAR_TAR_TESTING_H_
