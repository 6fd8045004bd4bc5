#include "src/tar/tar_header.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace imagewriter {
namespace tar_header {
namespace {

absl::string_view CString(absl::string_view field) {
  size_t nul = field.find('\0');
  return nul == absl::string_view::npos ? field : field.substr(0, nul);
}

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, " field ", what));
}

// Go's parseOctal: leading and trailing spaces and NULs are padding; the
// rest, up to a NUL, must be octal digits only.
bool ParseOctal(absl::string_view field, int64_t* value) {
  auto pad = [](char c) { return c == ' ' || c == '\0'; };
  while (!field.empty() && pad(field.front())) field.remove_prefix(1);
  while (!field.empty() && pad(field.back())) field.remove_suffix(1);
  *value = 0;
  if (field.empty()) return true;
  field = CString(field);
  uint64_t v = 0;
  for (char c : field) {
    if (c < '0' || c > '7' || (v >> 61) != 0) return false;
    v = (v << 3) | static_cast<uint64_t>(c - '0');
  }
  *value = static_cast<int64_t>(v);
  return true;
}

Format DetectFormat(absl::string_view h) {
  absl::string_view magic = h.substr(257, 6), version = h.substr(263, 2);
  if (magic == absl::string_view("ustar\0", 6)) {
    return h.substr(508, 4) == absl::string_view("tar\0", 4) ? Format::kStar : Format::kUstar;
  }
  if (magic == "ustar " && version == absl::string_view(" \0", 2)) return Format::kGnu;
  return Format::kV7;
}

absl::Status CheckChecksum(absl::string_view h) {
  int64_t stored;
  if (!ParseOctal(h.substr(148, 8), &stored)) {
    return absl::DataLossError("header checksum field is not octal");
  }
  int64_t unsigned_sum = 0, signed_sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    unsigned_sum += c;
    signed_sum += static_cast<signed char>(c);
  }
  if (stored != unsigned_sum && stored != signed_sum) {
    return absl::DataLossError(
        absl::StrCat("header checksum mismatch: stored ", stored, ", computed ", unsigned_sum));
  }
  return absl::OkStatus();
}

// The name prefix, by format, as Go's readHeader takes it. An old GNU
// header stores atime and ctime where USTAR keeps its prefix; Go parses
// them, and when either fails to parse it reads the field as a USTAR
// prefix instead (if it is ASCII).
absl::Status Prefix(absl::string_view h, Format format, std::string* prefix) {
  int64_t ignored;
  switch (format) {
    case Format::kV7:
      return absl::OkStatus();
    case Format::kUstar:
      *prefix = std::string(CString(h.substr(345, 155)));
      return absl::OkStatus();
    case Format::kStar:
      if (!ParseNumeric(h.substr(476, 12), &ignored)) return FieldError("star atime", "is not a number");
      if (!ParseNumeric(h.substr(488, 12), &ignored)) return FieldError("star ctime", "is not a number");
      *prefix = std::string(CString(h.substr(345, 131)));
      return absl::OkStatus();
    case Format::kGnu: {
      bool bad = (h[345] != '\0' && !ParseNumeric(h.substr(345, 12), &ignored)) ||
                 (h[357] != '\0' && !ParseNumeric(h.substr(357, 12), &ignored));
      absl::string_view s = CString(h.substr(345, 155));
      if (bad && std::all_of(s.begin(), s.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        *prefix = std::string(s);
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsZeroBlock(absl::string_view block) {
  return std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; });
}

bool ParseNumeric(absl::string_view field, int64_t* value) {
  if (field.empty() || (static_cast<unsigned char>(field[0]) & 0x80) == 0) {
    return ParseOctal(field, value);
  }
  // Base-256: the remaining bits are a big-endian two's complement number.
  const unsigned char invert = (static_cast<unsigned char>(field[0]) & 0x40) ? 0xff : 0;
  uint64_t x = 0;
  for (size_t i = 0; i < field.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(field[i]) ^ invert;
    if (i == 0) c &= 0x7f;
    if ((x >> 56) != 0) return false;
    x = (x << 8) | c;
  }
  if ((x >> 63) != 0) return false;
  *value = invert ? ~static_cast<int64_t>(x) : static_cast<int64_t>(x);
  return true;
}

absl::Status ParseHeader(absl::string_view h, Header* out) {
  absl::Status status = CheckChecksum(h);
  if (!status.ok()) return status;
  Header hdr;
  hdr.format = DetectFormat(h);
  hdr.type = h[156];
  hdr.name = std::string(CString(h.substr(0, 100)));
  hdr.link_name = std::string(CString(h.substr(157, 100)));
  const struct {
    const char* name;
    size_t at, width;
    int64_t* slot;
  } fields[] = {{"size", 124, 12, &hdr.size}, {"mode", 100, 8, &hdr.mode},
                {"uid", 108, 8, &hdr.uid},    {"gid", 116, 8, &hdr.gid},
                {"mtime", 136, 12, &hdr.mtime}};
  for (const auto& f : fields) {
    if (!ParseNumeric(h.substr(f.at, f.width), f.slot)) return FieldError(f.name, "is not a number");
  }
  if (hdr.format != Format::kV7) {
    hdr.uname = std::string(CString(h.substr(265, 32)));
    hdr.gname = std::string(CString(h.substr(297, 32)));
    if (!ParseNumeric(h.substr(329, 8), &hdr.devmajor)) return FieldError("devmajor", "is not a number");
    if (!ParseNumeric(h.substr(337, 8), &hdr.devminor)) return FieldError("devminor", "is not a number");
    std::string prefix;
    status = Prefix(h, hdr.format, &prefix);
    if (!status.ok()) return status;
    if (!prefix.empty()) hdr.name = absl::StrCat(prefix, "/", hdr.name);
  }
  *out = std::move(hdr);
  return absl::OkStatus();
}

bool ParseDecimal(absl::string_view s, int64_t* value) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  const uint64_t limit = negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (limit - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *value = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParsePaxTime(absl::string_view s, int64_t* seconds, int32_t* nanos) {
  size_t dot = s.find('.');
  absl::string_view whole = s.substr(0, dot);
  if (!ParseDecimal(whole, seconds)) return false;
  if (nanos != nullptr) *nanos = 0;
  if (dot == absl::string_view::npos || dot + 1 == s.size()) return true;
  absl::string_view fraction = s.substr(dot + 1);
  if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  // Go builds time.Unix(secs, -nanos) for "-1.5": one second earlier
  // whenever the nine-digit fraction is not zero. Wraps as Go's does.
  const bool nonzero = fraction.substr(0, 9).find_first_not_of('0') != absl::string_view::npos;
  if (whole[0] == '-' && nonzero) {
    *seconds = static_cast<int64_t>(static_cast<uint64_t>(*seconds) - 1);
  }
  if (nanos != nullptr) {
    int32_t n = 0;
    for (size_t i = 0; i < 9; ++i) n = n * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
    *nanos = whole[0] == '-' && n != 0 ? 1000000000 - n : n;
  }
  return true;
}

absl::Status NextPaxRecord(absl::string_view* data, PaxRecord* out) {
  absl::string_view s = *data;
  size_t space = s.find(' ');
  int64_t length;
  if (space == absl::string_view::npos || !ParseDecimal(s.substr(0, space), &length) || length < 5 ||
      static_cast<uint64_t>(length) > s.size() || static_cast<uint64_t>(length) <= space + 1 ||
      s[length - 1] != '\n') {
    return absl::InvalidArgumentError("PAX record: bad length prefix or missing newline");
  }
  absl::string_view record = s.substr(space + 1, length - space - 2);
  size_t eq = record.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError("PAX record without \"key=\"");
  }
  absl::string_view key = record.substr(0, eq), value = record.substr(eq + 1);
  const bool name_key = key == "path" || key == "linkpath" || key == "uname" || key == "gname";
  if ((name_key ? value : key).find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("PAX record ", name_key ? key : "key", " contains a NUL byte"));
  }
  *out = PaxRecord{key, value, s.substr(0, length)};
  data->remove_prefix(length);
  return absl::OkStatus();
}

absl::Status ParsePaxRecords(absl::string_view data, PaxRecords* out) {
  out->clear();
  std::vector<std::string> sparse_map;
  while (!data.empty()) {
    PaxRecord record;
    absl::Status status = NextPaxRecord(&data, &record);
    if (!status.ok()) return status;
    if (record.key == "GNU.sparse.offset" || record.key == "GNU.sparse.numbytes") {
      const bool want_offset = sparse_map.size() % 2 == 0;
      if ((record.key == "GNU.sparse.offset") != want_offset ||
          record.value.find(',') != absl::string_view::npos) {
        return absl::InvalidArgumentError("PAX record: GNU sparse offsets and sizes out of order");
      }
      sparse_map.emplace_back(record.value);
      continue;
    }
    (*out)[std::string(record.key)] = std::string(record.value);
  }
  if (!sparse_map.empty()) (*out)["GNU.sparse.map"] = absl::StrJoin(sparse_map, ",");
  return absl::OkStatus();
}

bool IsSparse(char type, const PaxRecords* pax) {
  if (type == 'S') return true;
  if (pax == nullptr) return false;
  auto get = [pax](const char* key) {
    auto it = pax->find(key);
    return it == pax->end() ? std::string() : it->second;
  };
  const std::string major = get("GNU.sparse.major"), minor = get("GNU.sparse.minor");
  if (major == "0" && (minor == "0" || minor == "1")) return true;
  if (major == "1" && minor == "0") return true;
  if (!major.empty() || !minor.empty()) return false;  // A version Go does not know.
  return !get("GNU.sparse.map").empty();
}

bool IsHeaderOnlyType(char type) { return type >= '1' && type <= '6'; }

}  // namespace tar_header
}  // namespace imagewriter
