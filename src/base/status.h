// Status helpers shared by every module.
//
// WithContext is the one way to say where an error happened: it puts a
// context (usually a path or a field) in front of a status's message and
// keeps everything else — the code, which callers (and the cli's exit code)
// act on, and the payloads, which carry structured facts such as the option
// a failure is about. Messages then read "outer: inner: what went wrong".
#ifndef IMAGEWRITER_BASE_STATUS_H_
#define IMAGEWRITER_BASE_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

// `status` with its message replaced by "context: message"; the same code
// and payloads. An OK status is returned unchanged, so that callers may wrap
// unconditionally.
absl::Status WithContext(absl::string_view context, const absl::Status& status);

}  // namespace imagewriter

#endif  // IMAGEWRITER_BASE_STATUS_H_
