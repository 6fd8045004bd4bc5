// CompareJson: two JSON documents, member by member, as JSON paths.
//
// Objects are compared by key (A's order, then keys only B has), arrays by
// index, scalars by type and source text (numbers keep their text, so 1 and
// 1.0 differ, as they differ in the bytes that were hashed). Every member
// counts, known to the OCI spec or not. Each difference is reported at the
// deepest path where the two documents part: `.config.Env[2]`,
// `.history[3].created`; keys that are not identifiers are quoted,
// `.config.Labels["org.opencontainers.image.source"]`.
#ifndef IMAGEWRITER_DIFF_JSON_DIFF_H_
#define IMAGEWRITER_DIFF_JSON_DIFF_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "src/diff/report.h"
#include "src/json/value.h"

namespace imagewriter {

// Paths for which `skip` returns true are not compared (nor below them).
// Each difference gets `base` as its scope, kind and note.
void CompareJson(const json::Value& a, const json::Value& b, const Difference& base,
                 const std::function<bool(absl::string_view path)>& skip, DiffReport* report);

// `path` + member `key`, as CompareJson spells it.
std::string JsonMemberPath(absl::string_view path, absl::string_view key);

// A value as short JSON text for a report: compact, cut after 200 bytes.
std::string JsonExcerpt(const json::Value& v);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_JSON_DIFF_H_
