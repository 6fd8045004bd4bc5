#include "src/tar/timestamp_clamp.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxPax = 1 << 20;

uint64_t Padded(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

bool ParseOctal(const char* field, size_t width, uint64_t* value) {
  *value = 0;
  if (static_cast<unsigned char>(field[0]) & 0x80) {  // base-256
    uint64_t v = static_cast<unsigned char>(field[0]) & 0x3f;
    for (size_t i = 1; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(field[i]);
    *value = v;
    return true;
  }
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) *value = (*value << 3) | (field[i] - '0');
  return true;
}

bool IsZero(const std::string& b) {
  return std::all_of(b.begin(), b.end(), [](char c) { return c == '\0'; });
}

}  // namespace

bool TimestampClamp::ClampField(char* field, size_t width) {
  uint64_t value;
  ParseOctal(field, width, &value);
  if (static_cast<int64_t>(value) <= epoch_ || value == 0) return false;
  std::string digits(width - 1, '0');
  uint64_t v = static_cast<uint64_t>(epoch_);
  for (size_t i = width - 1; i-- > 0;) {
    digits[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
  ++clamped_;
  return true;
}

void TimestampClamp::FixChecksum(std::string* header) {
  memset(&(*header)[148], ' ', 8);
  uint64_t sum = 0;
  for (unsigned char c : *header) sum += c;
  char digits[8];
  snprintf(digits, sizeof(digits), "%06o", static_cast<unsigned>(sum));
  memcpy(&(*header)[148], digits, 7);  // Six digits and a NUL; byte 155 stays ' '.
}

absl::Status TimestampClamp::OnHeader() {
  const char type = block_[156];
  uint64_t size;
  ParseOctal(&block_[124], 12, &size);
  if (type == 'x' || type == 'g') {
    if (size > kMaxPax) {
      return absl::DataLossError(absl::StrCat("malformed tar at offset ", offset_,
                                              ": PAX header of ", size, " bytes is too large"));
    }
    pax_header_ = block_;
    pax_.clear();
    pax_size_ = size;
    remaining_ = Padded(size);
    state_ = remaining_ == 0 ? State::kHeader : State::kPax;
    return remaining_ == 0 ? OnPax() : absl::OkStatus();
  }
  bool changed = ClampField(&block_[136], 12);
  if (memcmp(&block_[257], "ustar  \0", 8) == 0) {  // Old GNU: atime, ctime.
    changed |= ClampField(&block_[345], 12);
    changed |= ClampField(&block_[357], 12);
  }
  if (changed) FixChecksum(&block_);
  if (has_size_override_) size = size_override_;
  has_size_override_ = false;
  if (type >= '1' && type <= '6') size = 0;
  remaining_ = Padded(size);
  state_ = remaining_ == 0 ? State::kHeader : State::kData;
  return out_->Append(block_);
}

absl::Status TimestampClamp::OnPax() {
  std::string records;
  absl::string_view rest = absl::string_view(pax_).substr(0, pax_size_);
  bool changed = false;
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    uint64_t length;
    if (space == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, space), &length) ||
        length <= space + 1 || length > rest.size()) {
      return absl::DataLossError(absl::StrCat("malformed PAX record before offset ", offset_));
    }
    absl::string_view record = rest.substr(space + 1, length - space - 2);
    absl::string_view original = rest.substr(0, length);
    rest.remove_prefix(length);
    size_t eq = record.find('=');
    absl::string_view key = record.substr(0, eq);
    absl::string_view value = eq == absl::string_view::npos ? "" : record.substr(eq + 1);
    if (key == "size" && pax_header_[156] == 'x') {
      has_size_override_ = absl::SimpleAtoi(value, &size_override_);
    }
    if (key == "mtime" || key == "atime" || key == "ctime") {
      double seconds = 0;
      if (absl::SimpleAtod(value, &seconds) && seconds > static_cast<double>(epoch_)) {
        const std::string body = absl::StrCat(" ", key, "=", epoch_, "\n");
        size_t len = body.size() + 1;
        while (absl::StrCat(len).size() + body.size() != len) ++len;
        absl::StrAppend(&records, len, body);
        ++clamped_;
        changed = true;
        continue;
      }
    }
    absl::StrAppend(&records, original);
  }
  if (changed) {
    char digits[12];
    snprintf(digits, sizeof(digits), "%011llo", static_cast<unsigned long long>(records.size()));
    memcpy(&pax_header_[124], digits, 11);
    pax_header_[135] = '\0';
    FixChecksum(&pax_header_);
  } else {
    records = std::string(pax_.substr(0, pax_size_));
  }
  absl::Status s = out_->Append(pax_header_);
  if (s.ok()) s = out_->Append(records);
  if (s.ok()) s = out_->Append(std::string(Padded(records.size()) - records.size(), '\0'));
  return s;
}

absl::Status TimestampClamp::Append(absl::string_view data) {
  while (!data.empty()) {
    switch (state_) {
      case State::kEnd:
        offset_ += data.size();
        return out_->Append(data);
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        absl::Status s = out_->Append(data.substr(0, take));
        if (!s.ok()) return s;
        remaining_ -= take;
        offset_ += take;
        data.remove_prefix(take);
        if (remaining_ == 0) state_ = State::kHeader;
        break;
      }
      case State::kPax: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        pax_.append(data.data(), take);
        remaining_ -= take;
        offset_ += take;
        data.remove_prefix(take);
        if (remaining_ == 0) {
          state_ = State::kHeader;
          absl::Status s = OnPax();
          if (!s.ok()) return s;
        }
        break;
      }
      case State::kHeader: {
        size_t take = std::min(kBlock - block_.size(), data.size());
        block_.append(data.data(), take);
        data.remove_prefix(take);
        if (block_.size() < kBlock) break;
        offset_ += kBlock;
        absl::Status s;
        if (IsZero(block_)) {
          state_ = State::kEnd;
          s = out_->Append(block_);
        } else {
          s = OnHeader();
        }
        block_.clear();
        if (!s.ok()) return s;
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TimestampClamp::Finish() {
  // Pass on a partial block as it is: the tar validator behind reports it.
  if (!block_.empty()) return out_->Append(block_);
  return absl::OkStatus();
}

}  // namespace imagewriter
