// Typed access to JSON object members, with errors that name the field.
//
// `path` names the object being read, e.g. "base.json: config"; errors read
// "<path>.<key>: expected a string, got a number". Absent members leave the
// output untouched and return OK; explicit nulls count as absent, as in Go.
#ifndef IMAGEWRITER_JSON_FIELDS_H_
#define IMAGEWRITER_JSON_FIELDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/json/value.h"

namespace imagewriter {
namespace json {

absl::Status TypeError(absl::string_view path, absl::string_view key,
                       absl::string_view expected, const Value& got);

absl::Status RequireObject(const Value& v, absl::string_view path);

absl::Status GetString(const Value& obj, absl::string_view path,
                       absl::string_view key, std::optional<std::string>* out);
absl::Status GetInt64(const Value& obj, absl::string_view path,
                      absl::string_view key, std::optional<int64_t>* out);
absl::Status GetBool(const Value& obj, absl::string_view path,
                     absl::string_view key, std::optional<bool>* out);
absl::Status GetStringArray(const Value& obj, absl::string_view path,
                            absl::string_view key,
                            std::optional<std::vector<std::string>>* out);
absl::Status GetStringMap(const Value& obj, absl::string_view path,
                          absl::string_view key,
                          std::map<std::string, std::string>* out);

// Converts JSON number text to int64, rejecting fractions, exponents and
// values out of range.
bool NumberToInt64(absl::string_view text, int64_t* out);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_FIELDS_H_
