// Strict JSON parsing (RFC 8259) for inputs imagewriter does not trust.
//
// Rejects: invalid UTF-8 anywhere, control characters in strings, a byte
// order mark, trailing content, nesting deeper than kMaxDepth, malformed
// numbers and escapes, and duplicate object keys. Go's encoding/json keeps
// the last of duplicate keys silently; imagewriter refuses them instead,
// because two tools reading the same config could then disagree. Lone UTF-16
// surrogates in \u escapes decode to U+FFFD, as in Go.
//
// Parsing is linear in the input: the duplicate-key check is a hash lookup
// per key, so an object with hundreds of thousands of members (a hostile
// base config) costs no more than its size.
//
// Errors read "<what>: <problem> at line L, column C (offset O)".
#ifndef IMAGEWRITER_JSON_PARSER_H_
#define IMAGEWRITER_JSON_PARSER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/json/value.h"

namespace imagewriter {
namespace json {

inline constexpr int kMaxDepth = 128;

// Work counters, for tests that hold the parser to its cost.
struct ParseStats {
  uint64_t key_comparisons = 0;  // Key equality tests by the duplicate check.
};

// `what` names the input in errors, e.g. a file path.
absl::StatusOr<Value> Parse(std::string text, absl::string_view what,
                            ParseStats* stats = nullptr);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_PARSER_H_
