// JSON output that matches Go's encoding/json byte for byte.
//
// Strings are escaped as Go escapes them with HTML escaping on (the default
// of json.Marshal): \" \\ \b \f \n \r \t, other control characters as \u00xx,
// '<' '>' '&' as \u003c \u003e \u0026, U+2028 and U+2029 as \u2028 \u2029,
// and invalid UTF-8 as \ufffd.
//
// A value that still carries its parsed source is re-emitted the way Go
// re-emits a json.RawMessage: its source with insignificant whitespace
// removed and '<' '>' '&' U+2028 U+2029 escaped, all else untouched.
#ifndef IMAGEWRITER_JSON_WRITER_H_
#define IMAGEWRITER_JSON_WRITER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "src/json/value.h"

namespace imagewriter {
namespace json {

// Like json.Marshal: no whitespace.
std::string Compact(const Value& value);
// Like json.MarshalIndent(v, "", "  "): no trailing newline.
std::string Indent(const Value& value);

// Appends s as a quoted, escaped JSON string.
void AppendQuoted(absl::string_view s, std::string* out);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_WRITER_H_
