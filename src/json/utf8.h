// UTF-8 helpers shared by the JSON parser and writer.
#ifndef IMAGEWRITER_JSON_UTF8_H_
#define IMAGEWRITER_JSON_UTF8_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace imagewriter {
namespace json {

// Length of the valid UTF-8 sequence at the start of s (1..4), or 0 if s
// does not start with one (overlong forms and surrogates are invalid).
size_t ValidUtf8SequenceLength(absl::string_view s);

// s with each byte that starts no valid sequence replaced by U+FFFD: the
// string a JSON reader gets back from what the writer (and Go's
// encoding/json) makes of s.
std::string CoerceToUtf8(absl::string_view s);

// Appends the UTF-8 encoding of a code point (<= 0x10FFFF).
void AppendUtf8(uint32_t code, std::string* out);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_UTF8_H_
