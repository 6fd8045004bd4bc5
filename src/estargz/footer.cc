#include "src/estargz/footer.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace imagewriter {
namespace estargz {

std::string FooterBytes(uint64_t toc_offset) {
  std::string footer("\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff", 10);
  footer.append("\x1a\x00" "SG" "\x16\x00", 6);
  footer += absl::StrFormat("%016xSTARGZ", toc_offset);
  footer.append("\x01\x00\x00\xff\xff", 5);
  footer.append(8, '\0');
  return footer;
}

absl::StatusOr<uint64_t> ParseFooter(absl::string_view footer) {
  uint64_t offset = 0;
  // Readers take the offset as a signed int64 (strconv.ParseInt). The
  // round trip through FooterBytes checks every other byte.
  const absl::string_view hex = footer.size() == kFooterSize ? footer.substr(16, 16) : "";
  if (hex.size() != 16 || !absl::SimpleHexAtoi(hex, &offset) ||
      offset > static_cast<uint64_t>(INT64_MAX) || FooterBytes(offset) != footer) {
    return absl::InvalidArgumentError("no eStargz footer (51-byte gzip member with an SG extra field)");
  }
  return offset;
}

}  // namespace estargz
}  // namespace imagewriter
