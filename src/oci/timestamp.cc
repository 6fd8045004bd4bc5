#include "src/oci/timestamp.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "re2/re2.h"

namespace imagewriter {

absl::StatusOr<Timestamp> Timestamp::Parse(absl::string_view text) {
  static const RE2* const kRfc3339 = new RE2(
      "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?"
      "(?:([Zz])|([+-])(\\d{2}):(\\d{2}))");
  int year, month, day, hour, minute, second;
  std::string fraction, zulu, sign;
  int offset_hours = 0, offset_minutes = 0;
  std::string oh, om;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *kRfc3339,
                      &year, &month, &day, &hour, &minute, &second, &fraction,
                      &zulu, &sign, &oh, &om)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid timestamp \"", text,
        "\": expected RFC 3339, e.g. 2024-01-02T03:04:05Z"));
  }
  if (!sign.empty()) {
    absl::SimpleAtoi(oh, &offset_hours);
    absl::SimpleAtoi(om, &offset_minutes);
  }
  absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute ||
      civil.second() != second || offset_hours > 23 || offset_minutes > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid timestamp \"", text, "\": field out of range"));
  }
  int32_t nanos = 0;
  if (!fraction.empty()) {
    fraction.resize(9, '0');
    absl::SimpleAtoi(fraction, &nanos);
  }
  int32_t offset = (offset_hours * 3600 + offset_minutes * 60) * (sign == "-" ? -1 : 1);
  int64_t local = civil - absl::CivilSecond(1970, 1, 1, 0, 0, 0);
  return Timestamp(local - offset, nanos, offset);
}

absl::StatusOr<Timestamp> Timestamp::FromSourceDateEpoch(absl::string_view text) {
  int64_t seconds;
  if (text.empty() || text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &seconds) || seconds > 253402300799) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid SOURCE_DATE_EPOCH \"", text,
        "\": expected non-negative decimal seconds since 1970 (before year 10000)"));
  }
  return FromUnixSeconds(seconds);
}

std::string Timestamp::Format() const {
  absl::CivilSecond civil =
      absl::CivilSecond(1970, 1, 1, 0, 0, 0) + (seconds_ + offset_seconds_);
  std::string out = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d",
                                    civil.year(), civil.month(), civil.day(),
                                    civil.hour(), civil.minute(), civil.second());
  if (nanos_ != 0) {
    std::string fraction = absl::StrFormat("%09d", nanos_);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    absl::StrAppend(&out, ".", fraction);
  }
  if (offset_seconds_ == 0) {
    out += "Z";
  } else {
    int32_t abs = offset_seconds_ < 0 ? -offset_seconds_ : offset_seconds_;
    absl::StrAppendFormat(&out, "%c%02d:%02d", offset_seconds_ < 0 ? '-' : '+',
                          abs / 3600, (abs / 60) % 60);
  }
  return out;
}

}  // namespace imagewriter
