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
#include <functional>
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

// One array streamed rather than kept: the items of the top-level object's
// member `key`, when it is an array, go to `on_item` one by one, in order,
// and that member reads as an empty array in the result. A document too
// large to hold as a tree (an eStargz TOC) is then held one item at a time.
// An item may hold at most max_item_values values (itself included), so
// that no single item's tree grows large either.
struct StreamedArray {
  std::string key;
  std::function<absl::Status(Value item)> on_item;
  uint64_t max_item_values = 1 << 16;
};

// As Parse, with `stream`'s array streamed. An error from on_item ends
// parsing and is returned as it is.
absl::StatusOr<Value> ParseStreamed(std::string text, absl::string_view what,
                                    const StreamedArray& stream);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_PARSER_H_
