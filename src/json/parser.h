// Strict JSON parsing (RFC 8259) for inputs imagewriter does not trust.
//
// Rejects: invalid UTF-8 anywhere, control characters in strings, a byte
// order mark, trailing content, nesting deeper than kMaxDepth, malformed
// numbers and escapes, and duplicate object keys. Go's encoding/json keeps
// the last of duplicate keys silently; imagewriter refuses them instead,
// because two tools reading the same config could then disagree. Lone UTF-16
// surrogates in \u escapes decode to U+FFFD, as in Go.
//
// Errors read "<what>: <problem> at line L, column C (offset O)".
#ifndef IMAGEWRITER_JSON_PARSER_H_
#define IMAGEWRITER_JSON_PARSER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/json/value.h"

namespace imagewriter {
namespace json {

inline constexpr int kMaxDepth = 128;

// `what` names the input in errors, e.g. a file path.
absl::StatusOr<Value> Parse(std::string text, absl::string_view what);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_PARSER_H_
