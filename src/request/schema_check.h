// CheckAgainstSchema: holds a JSON tree, from the strict parser (src/json),
// to a protobuf message type, before protobuf's own JSON parser reads it.
//
// Protobuf's JSON parser is lenient where a request must not be: it takes
// "yes" for a bool, a lone string for a repeated field, an integer in
// quotes. This check is not: every message is a JSON object; every member
// is a field of the message, by its proto or JSON name, given once; every
// value is of its field's type (a string, true or false, an integer within
// int64, an array for a repeated field, an object of strings for a map);
// no string holds a NUL. A null member counts as absent, as protobuf and Go
// read it. Only the field types the request schema uses are known; another
// type is an internal error.
//
// Errors name the member by its path from the top, e.g.
// "entries[2].executable: expected true or false, got a string".
#ifndef IMAGEWRITER_REQUEST_SCHEMA_CHECK_H_
#define IMAGEWRITER_REQUEST_SCHEMA_CHECK_H_

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "src/json/value.h"

namespace imagewriter {

absl::Status CheckAgainstSchema(const json::Value& value, const google::protobuf::Descriptor& type);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_SCHEMA_CHECK_H_
