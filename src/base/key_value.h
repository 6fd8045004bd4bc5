// The KEY=VALUE format, with one parser for all its users: the --annotation
// flags of `imagewriter layer`, the env entries of an image config, and the
// env, label and annotation files of a request.
//
// An entry is split at its first '=': the key is what comes before and must
// not be empty; the value is all the rest, further '=' included, and may be
// empty. Both are taken as they are: no trimming, quoting, escapes or
// comments ("#a=b" has the key "#a", and "# note" is an error).
//
// A file of entries is read by lines: a line ends at '\n', a '\r' before
// it is dropped (files written on Windows), and lines of only whitespace are
// skipped. Entries keep their order, a repeated key included: what a
// repeated key means is for the caller to say.
#ifndef IMAGEWRITER_BASE_KEY_VALUE_H_
#define IMAGEWRITER_BASE_KEY_VALUE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

struct KeyValue {
  std::string key;
  std::string value;
};

// Splits one entry. The error ("expected KEY=VALUE with a non-empty KEY")
// does not say where the entry came from: callers add that.
absl::StatusOr<KeyValue> SplitKeyValue(absl::string_view entry);

// Parses the lines of a file. Errors name `where` and the line number:
// `env.txt:3: expected KEY=VALUE with a non-empty KEY, got "PATH"`.
absl::StatusOr<std::vector<KeyValue>> ParseKeyValueLines(absl::string_view text,
                                                         absl::string_view where);

}  // namespace imagewriter

#endif  // IMAGEWRITER_BASE_KEY_VALUE_H_
