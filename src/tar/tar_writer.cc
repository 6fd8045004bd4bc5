#include "src/tar/tar_writer.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBlock = 512;

// Writes v as zero-padded octal in a field of `width` bytes (NUL last).
// Returns false if it does not fit.
bool PutOctal(uint64_t v, char* field, size_t width) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + (v & 7)));
    v >>= 3;
  } while (v != 0);
  if (digits.size() > width - 1) return false;
  memset(field, '0', width - 1 - digits.size());
  memcpy(field + width - 1 - digits.size(), digits.data(), digits.size());
  field[width - 1] = '\0';
  return true;
}

// Splits a path into ustar prefix (<=155) and name (<=100) at a '/'.
bool SplitUstarPath(const std::string& path, std::string* prefix, std::string* name) {
  if (path.size() <= 100) {
    prefix->clear();
    *name = path;
    return true;
  }
  for (size_t i = path.size() > 101 ? path.size() - 101 : 0; i < path.size() && i <= 155; ++i) {
    if (path[i] == '/' && i > 0 && path.size() - i - 1 <= 100 && path.size() - i - 1 > 0) {
      *prefix = path.substr(0, i);
      *name = path.substr(i + 1);
      return true;
    }
  }
  return false;
}

void AddPaxRecord(absl::string_view key, absl::string_view value, std::string* out) {
  // "<len> <key>=<value>\n", where <len> counts its own digits.
  const size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t len = body + 1;
  while (absl::StrCat(len).size() + body != len) ++len;
  absl::StrAppend(out, len, " ", key, "=", value, "\n");
}

std::string PaxHeaderName(const std::string& path) {
  size_t slash = path.find_last_of('/', path.size() > 1 ? path.size() - 2 : 0);
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string name = absl::StrCat(dir, "/PaxHeaders.0/", base);
  if (name.size() > 100) name.resize(100);
  return name;
}

std::string Block(const std::string& name, char type, const std::string& prefix,
                  const std::string& link, uint64_t size, const TarHeader& h,
                  bool* fits) {
  std::string b(kBlock, '\0');
  memcpy(&b[0], name.data(), std::min<size_t>(name.size(), 100));
  *fits = PutOctal(h.mode & 07777, &b[100], 8) & PutOctal(h.uid, &b[108], 8) &
          PutOctal(h.gid, &b[116], 8) & PutOctal(size, &b[124], 12) &
          PutOctal(h.mtime < 0 ? 0 : static_cast<uint64_t>(h.mtime), &b[136], 12);
  b[156] = type;
  memcpy(&b[157], link.data(), std::min<size_t>(link.size(), 100));
  memcpy(&b[257], "ustar\0" "00", 8);
  memcpy(&b[265], h.uname.data(), std::min<size_t>(h.uname.size(), 31));
  memcpy(&b[297], h.gname.data(), std::min<size_t>(h.gname.size(), 31));
  PutOctal(0, &b[329], 8);  // devmajor
  PutOctal(0, &b[337], 8);  // devminor
  memcpy(&b[345], prefix.data(), std::min<size_t>(prefix.size(), 155));
  memset(&b[148], ' ', 8);
  uint64_t sum = 0;
  for (unsigned char c : b) sum += c;
  PutOctal(sum, &b[148], 7);  // Six digits, NUL, then the space already there.
  return b;
}

}  // namespace

absl::Status TarWriter::Emit(absl::string_view data) { return out_->Append(data); }

absl::Status TarWriter::CloseEntry() {
  if (remaining_ != 0) {
    return absl::InternalError(absl::StrCat("tar entry \"", entry_path_, "\": ", remaining_,
                                            " of ", entry_size_, " data bytes missing"));
  }
  size_t pad = (kBlock - entry_size_ % kBlock) % kBlock;
  entry_size_ = 0;
  return pad == 0 ? absl::OkStatus() : Emit(std::string(pad, '\0'));
}

absl::Status TarWriter::WriteHeader(const TarHeader& h) {
  absl::Status s = CloseEntry();
  if (!s.ok()) return s;
  if (h.path.empty()) return absl::InvalidArgumentError("tar entry with an empty path");
  if (h.mtime < 0) {
    return absl::InvalidArgumentError(absl::StrCat("tar entry \"", h.path, "\": negative mtime"));
  }
  std::string prefix, name;
  std::string pax;
  if (!SplitUstarPath(h.path, &prefix, &name)) {
    AddPaxRecord("path", h.path, &pax);
    prefix.clear();
    name = h.path.substr(0, 100);
  }
  std::string link = h.link_name;
  if (link.size() > 100) {
    AddPaxRecord("linkpath", link, &pax);
    link.resize(100);
  }
  const uint64_t size = (h.type == '0' || h.type == '7') ? h.size : 0;
  bool fits;
  std::string block = Block(name, h.type, prefix, link, size, h, &fits);
  if (!fits) {
    // Numbers past octal range: PAX carries the exact values.
    if (size > 077777777777ULL) AddPaxRecord("size", absl::StrCat(size), &pax);
    if (h.uid > 07777777) AddPaxRecord("uid", absl::StrCat(h.uid), &pax);
    if (h.gid > 07777777) AddPaxRecord("gid", absl::StrCat(h.gid), &pax);
    if (static_cast<uint64_t>(h.mtime) > 077777777777ULL) {
      AddPaxRecord("mtime", absl::StrCat(h.mtime), &pax);
    }
    TarHeader clipped = h;
    clipped.uid = h.uid > 07777777 ? 0 : h.uid;
    clipped.gid = h.gid > 07777777 ? 0 : h.gid;
    clipped.mtime = static_cast<uint64_t>(h.mtime) > 077777777777ULL ? 0 : h.mtime;
    block = Block(name, h.type, prefix, link, size > 077777777777ULL ? 0 : size, clipped, &fits);
  }
  if (!pax.empty()) {
    TarHeader pax_header;
    pax_header.mode = 0644;
    bool pax_fits;
    std::string pax_block =
        Block(PaxHeaderName(h.path), 'x', "", "", pax.size(), pax_header, &pax_fits);
    s = Emit(pax_block);
    if (s.ok()) s = Emit(pax);
    if (s.ok()) s = Emit(std::string((kBlock - pax.size() % kBlock) % kBlock, '\0'));
    if (!s.ok()) return s;
  }
  s = Emit(block);
  if (!s.ok()) return s;
  entry_path_ = h.path;
  entry_size_ = size;
  remaining_ = size;
  return absl::OkStatus();
}

absl::Status TarWriter::Append(absl::string_view data) {
  if (data.size() > remaining_) {
    return absl::InternalError(absl::StrCat("tar entry \"", entry_path_, "\": more data than its size ",
                                            entry_size_));
  }
  remaining_ -= data.size();
  return Emit(data);
}

absl::Status TarWriter::Finish() {
  absl::Status s = CloseEntry();
  if (s.ok()) s = Emit(std::string(2 * kBlock, '\0'));
  return s.ok() ? out_->Finish() : s;
}

}  // namespace imagewriter
