#include "src/tar/tar_reader.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBlock = 512;

// Parses a numeric header field: octal text (NUL/space padded) or, when the
// first byte has its high bit set, GNU base-256.
bool ParseNumber(absl::string_view field, uint64_t* value) {
  *value = 0;
  if (!field.empty() && (static_cast<unsigned char>(field[0]) & 0x80)) {
    if (static_cast<unsigned char>(field[0]) & 0x40) return false;  // Negative.
    uint64_t v = static_cast<unsigned char>(field[0]) & 0x3f;
    for (size_t i = 1; i < field.size(); ++i) {
      if (v >> 56) return false;
      v = (v << 8) | static_cast<unsigned char>(field[i]);
    }
    *value = v;
    return true;
  }
  size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  bool any = false;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (*value >> 61) return false;
    *value = (*value << 3) | static_cast<uint64_t>(field[i] - '0');
    any = true;
  }
  for (; i < field.size(); ++i) {
    if (field[i] != ' ' && field[i] != '\0') return false;
  }
  return any || field.find_first_not_of(std::string(" \0", 2)) ==
                    absl::string_view::npos;
}

absl::string_view CString(absl::string_view field) {
  size_t nul = field.find('\0');
  return nul == absl::string_view::npos ? field : field.substr(0, nul);
}

bool IsZeroBlock(absl::string_view block) {
  return std::all_of(block.begin(), block.end(),
                     [](char c) { return c == '\0'; });
}

uint64_t PaddedSize(uint64_t size) { return (size + kBlock - 1) / kBlock * kBlock; }

}  // namespace

absl::Status TarReader::Error(uint64_t offset, absl::string_view what) const {
  return absl::DataLossError(
      absl::StrCat("malformed tar at offset ", offset, ": ", what));
}

absl::Status TarReader::Append(absl::string_view data) {
  while (!data.empty()) {
    switch (state_) {
      case State::kEnd:
        // Everything after the end-of-archive marker is padding; tar readers
        // ignore it, and so does this one.
        offset_ += data.size();
        return absl::OkStatus();
      case State::kData: {
        uint64_t skip = std::min<uint64_t>(remaining_, data.size());
        remaining_ -= skip;
        offset_ += skip;
        data.remove_prefix(skip);
        if (remaining_ == 0) state_ = State::kHeader;
        break;
      }
      case State::kExtension: {
        uint64_t take = std::min<uint64_t>(remaining_, data.size());
        uint64_t want = extension_size_ > extension_.size()
                            ? extension_size_ - extension_.size()
                            : 0;
        extension_.append(data.data(), std::min(take, want));
        remaining_ -= take;
        offset_ += take;
        data.remove_prefix(take);
        if (remaining_ == 0) {
          absl::Status status = FinishExtension();
          if (!status.ok()) return status;
          state_ = State::kHeader;
        }
        break;
      }
      case State::kHeader: {
        size_t take = std::min(kBlock - block_.size(), data.size());
        block_.append(data.data(), take);
        data.remove_prefix(take);
        if (block_.size() == kBlock) {
          absl::Status status = ParseHeader();
          block_.clear();
          offset_ += kBlock;
          if (!status.ok()) return status;
        }
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TarReader::ParseHeader() {
  absl::string_view h = block_;
  if (IsZeroBlock(h)) {
    if (has_pending_header_offset_) {
      return Error(offset_, "end of archive right after an extension header");
    }
    state_ = State::kEnd;
    return absl::OkStatus();
  }
  uint64_t stored;
  if (!ParseNumber(h.substr(148, 8), &stored)) {
    return Error(offset_, offset_ == 0 ? "not a tar archive (no valid header)"
                                       : "header checksum field is not octal");
  }
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    unsigned_sum += c;
    signed_sum += static_cast<signed char>(c);
  }
  if (stored != unsigned_sum && static_cast<int64_t>(stored) != signed_sum) {
    return Error(offset_,
                 offset_ == 0
                     ? std::string("not a tar archive (header checksum mismatch)")
                     : absl::StrCat("header checksum mismatch: stored ", stored,
                                    ", computed ", unsigned_sum));
  }
  TarEntry entry;
  entry.header_offset =
      has_pending_header_offset_ ? pending_header_offset_ : offset_;
  entry.data_offset = offset_ + kBlock;
  entry.type = h[156] == '\0' ? '0' : h[156];
  uint64_t size;
  if (!ParseNumber(h.substr(124, 12), &size)) {
    return Error(offset_, "size field is not a number");
  }
  uint64_t mtime;
  if (!ParseNumber(h.substr(100, 8), &entry.mode) ||
      !ParseNumber(h.substr(108, 8), &entry.uid) ||
      !ParseNumber(h.substr(116, 8), &entry.gid) ||
      !ParseNumber(h.substr(136, 12), &mtime)) {
    return Error(offset_, "mode, uid, gid or mtime field is not a number");
  }
  entry.mtime = static_cast<int64_t>(mtime);

  const char type = entry.type;
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    if (size > kMaxExtensionRecord) {
      return Error(offset_, absl::StrCat("extension header of ", size,
                                         " bytes exceeds the limit of ",
                                         kMaxExtensionRecord));
    }
    if (!has_pending_header_offset_) {
      pending_header_offset_ = offset_;
      has_pending_header_offset_ = true;
    }
    extension_type_ = type;
    extension_size_ = size;
    extension_.clear();
    remaining_ = PaddedSize(size);
    state_ = remaining_ == 0 ? State::kHeader : State::kExtension;
    if (remaining_ == 0) return FinishExtension();
    return absl::OkStatus();
  }

  // ustar splits long names into prefix (345..500) and name (0..100).
  absl::string_view name = CString(h.substr(0, 100));
  absl::string_view magic = h.substr(257, 6);
  std::string path;
  if (magic == absl::string_view("ustar\0", 6)) {
    absl::string_view prefix = CString(h.substr(345, 155));
    if (!prefix.empty()) path = absl::StrCat(prefix, "/", name);
    else path = std::string(name);
  } else {
    path = std::string(name);
  }
  entry.path = next_path_.empty() ? path : next_path_;
  entry.link_name = next_link_.empty() ? std::string(CString(h.substr(157, 100)))
                                       : next_link_;
  entry.size = has_next_size_ ? next_size_ : size;
  next_path_.clear();
  next_link_.clear();
  has_next_size_ = false;
  has_pending_header_offset_ = false;

  // Links, directories and devices carry no data whatever their size says.
  if (type >= '1' && type <= '6') entry.size = 0;
  if (entry.path.empty()) return Error(entry.header_offset, "entry has an empty name");
  ++entry_count_;
  if (on_entry_) {
    absl::Status status = on_entry_(entry);
    if (!status.ok()) return status;
  }
  remaining_ = PaddedSize(entry.size);
  state_ = remaining_ == 0 ? State::kHeader : State::kData;
  return absl::OkStatus();
}

absl::Status TarReader::FinishExtension() {
  const uint64_t at = offset_ - PaddedSize(extension_size_) - kBlock;
  if (extension_type_ == 'L' || extension_type_ == 'K') {
    std::string value(CString(extension_));
    (extension_type_ == 'L' ? next_path_ : next_link_) = std::move(value);
    return absl::OkStatus();
  }
  // PAX records: "<length> <key>=<value>\n", length counting the whole record.
  absl::string_view rest = extension_;
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    uint64_t length;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, space), &length) || length <= space + 1 ||
        length > rest.size() || rest[length - 1] != '\n') {
      return Error(at, "malformed PAX record");
    }
    absl::string_view record = rest.substr(space + 1, length - space - 2);
    rest.remove_prefix(length);
    size_t eq = record.find('=');
    if (eq == absl::string_view::npos) return Error(at, "PAX record without '='");
    absl::string_view key = record.substr(0, eq);
    absl::string_view value = record.substr(eq + 1);
    if (extension_type_ == 'g') continue;  // Global defaults: not per entry.
    if (key == "path") next_path_ = std::string(value);
    if (key == "linkpath") next_link_ = std::string(value);
    if (key == "size") {
      if (!absl::SimpleAtoi(value, &next_size_)) {
        return Error(at, absl::StrCat("PAX size \"", value, "\" is not a number"));
      }
      has_next_size_ = true;
    }
  }
  if (extension_type_ == 'g') has_pending_header_offset_ = false;
  return absl::OkStatus();
}

absl::Status TarReader::Finish() {
  if (offset_ == 0 && block_.empty()) {
    return absl::DataLossError("not a tar archive: the input is empty");
  }
  if (state_ == State::kEnd) return absl::OkStatus();
  if (!block_.empty()) {
    return Error(offset_, absl::StrCat("truncated tar: the stream ends ",
                                       block_.size(),
                                       " bytes into a 512-byte header"));
  }
  if (state_ == State::kData || state_ == State::kExtension) {
    return Error(offset_, absl::StrCat("truncated tar: the stream ends with ",
                                       remaining_,
                                       " bytes of entry data still expected"));
  }
  if (has_pending_header_offset_) {
    return Error(offset_, "truncated tar: extension header without its entry");
  }
  // Ended cleanly between entries without the end-of-archive marker; Go's
  // archive/tar and GNU tar accept this, so we do too.
  return absl::OkStatus();
}

}  // namespace imagewriter
