#include "src/tar/timestamp_clamp.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

using tar_header::kBlock;

uint64_t Padded(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

void FixChecksum(std::string* header) {
  memset(&(*header)[148], ' ', 8);
  uint64_t sum = 0;
  for (unsigned char c : *header) sum += c;
  char digits[8];
  snprintf(digits, sizeof(digits), "%06o", static_cast<unsigned>(sum));
  memcpy(&(*header)[148], digits, 7);  // Six digits and a NUL; byte 155 stays ' '.
}

}  // namespace

TimestampClamp::TimestampClamp(int64_t epoch, ByteSink* out) : epoch_(epoch), out_(out) {
  reader_.set_segment_callback(
      [this](TarReader::Segment kind, absl::string_view bytes, const tar_header::Header* header) {
        return OnSegment(kind, bytes, header);
      });
}

bool TimestampClamp::ClampField(char* field, size_t width) {
  int64_t value;
  // A field Go cannot parse is left alone: for old GNU atime/ctime, Go then
  // reads those bytes as a name prefix, which a rewrite must not change.
  if (!tar_header::ParseNumeric(absl::string_view(field, width), &value) || value <= epoch_) {
    return false;
  }
  uint64_t v = static_cast<uint64_t>(epoch_);
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  field[width - 1] = '\0';
  ++clamped_;
  return true;
}

// Later than the epoch: whole seconds above it, or equal with a fraction.
bool TimestampClamp::ClampPaxTime(absl::string_view value) const {
  int64_t seconds;
  if (!tar_header::ParsePaxTime(value, &seconds)) return false;
  if (seconds != epoch_) return seconds > epoch_;
  size_t dot = value.find('.');
  return dot != absl::string_view::npos && value[0] != '-' &&
         value.find_first_not_of('0', dot + 1) != absl::string_view::npos;
}

absl::Status TimestampClamp::OnHeader(absl::string_view block, const tar_header::Header& header) {
  if (header.type == 'x' || header.type == 'g') {
    holding_pax_ = true;
    pax_header_ = std::string(block);
    pax_.clear();
    return absl::OkStatus();
  }
  std::string copy(block);
  bool changed = ClampField(&copy[136], 12);
  // Old GNU: atime and ctime, but only when Go reads both as times; if
  // either fails to parse, Go takes those bytes as the name's prefix.
  int64_t ignored;
  auto time_or_empty = [&](size_t at) {
    return copy[at] == '\0' || tar_header::ParseNumeric(absl::string_view(&copy[at], 12), &ignored);
  };
  if (header.format == tar_header::Format::kGnu && time_or_empty(345) && time_or_empty(357)) {
    if (copy[345] != '\0') changed |= ClampField(&copy[345], 12);
    if (copy[357] != '\0') changed |= ClampField(&copy[357], 12);
  }
  if (changed) FixChecksum(&copy);
  return out_->Append(copy);
}

absl::Status TimestampClamp::FlushPax() {
  if (!holding_pax_) return absl::OkStatus();
  holding_pax_ = false;
  std::string records;
  bool changed = false;
  absl::string_view rest = pax_;
  while (!rest.empty()) {
    tar_header::PaxRecord record;
    absl::Status status = tar_header::NextPaxRecord(&rest, &record);
    if (!status.ok()) return status;  // The reader has refused it already.
    const bool time = record.key == "mtime" || record.key == "atime" || record.key == "ctime";
    if (time && ClampPaxTime(record.value)) {
      const std::string body = absl::StrCat(" ", record.key, "=", epoch_, "\n");
      size_t len = body.size() + 1;
      while (absl::StrCat(len).size() + body.size() != len) ++len;
      absl::StrAppend(&records, len, body);
      ++clamped_;
      changed = true;
    } else {
      absl::StrAppend(&records, record.raw);
    }
  }
  if (changed) {
    char digits[12];
    snprintf(digits, sizeof(digits), "%011llo", static_cast<unsigned long long>(records.size()));
    memcpy(&pax_header_[124], digits, 11);
    pax_header_[135] = '\0';
    FixChecksum(&pax_header_);
  }
  absl::Status s = out_->Append(pax_header_);
  if (s.ok()) s = out_->Append(records);
  if (s.ok()) s = out_->Append(std::string(Padded(records.size()) - records.size(), '\0'));
  return s;
}

absl::Status TimestampClamp::OnSegment(TarReader::Segment kind, absl::string_view bytes,
                                       const tar_header::Header* header) {
  using Segment = TarReader::Segment;
  if (kind == Segment::kRecord) {
    if (holding_pax_) pax_.append(bytes.data(), bytes.size());
    else return out_->Append(bytes);  // 'L'/'K' records pass as they are.
    return absl::OkStatus();
  }
  if (kind == Segment::kPadding && (holding_pax_ || record_padding_)) {
    // FlushPax writes the padding its (maybe re-sized) records need.
    record_padding_ = true;
    return FlushPax();
  }
  record_padding_ = false;
  absl::Status status = FlushPax();
  if (!status.ok()) return status;
  if (kind == Segment::kHeader) return OnHeader(bytes, *header);
  return out_->Append(bytes);
}

absl::Status TimestampClamp::Append(absl::string_view data) { return reader_.Append(data); }

absl::Status TimestampClamp::Finish() {
  absl::Status status = reader_.Finish();
  if (status.ok()) status = FlushPax();
  return status.ok() ? out_->Finish() : status;
}

}  // namespace imagewriter
