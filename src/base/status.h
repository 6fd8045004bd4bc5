// Status helpers shared by every module.
//
// WithContext is the one way to say where an error happened: it puts a
// context (usually a path or a field) in front of a status's message and
// keeps everything else — the code, which callers (and the cli's exit code)
// act on, and the payloads, which carry structured facts such as the option
// a failure is about. Messages then read "outer: inner: what went wrong".
//
// WithOption records, as a payload, which option of a library call governs
// a failure (the one that would accept it, or whose limit it hit), named in
// the library's terms ("level", "max_ratio"). Library messages describe the
// data and never spell a command-line flag; the cli, which knows how each
// option is set, reads OptionOf and adds its own flag to the message.
#ifndef IMAGEWRITER_BASE_STATUS_H_
#define IMAGEWRITER_BASE_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

// `status` with its message replaced by "context: message"; the same code
// and payloads. An OK status is returned unchanged, so that callers may wrap
// unconditionally.
absl::Status WithContext(absl::string_view context, const absl::Status& status);

// The payload type URL under which WithOption stores the option's name.
inline constexpr char kOptionPayload[] = "imagewriter/option";

// `status` marked as governed by `option`. OK stays OK.
absl::Status WithOption(absl::string_view option, absl::Status status);

// The option WithOption recorded, or "" if none (or OK).
std::string OptionOf(const absl::Status& status);

}  // namespace imagewriter

#endif  // IMAGEWRITER_BASE_STATUS_H_
