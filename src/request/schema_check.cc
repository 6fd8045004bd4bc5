#include "src/request/schema_check.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/json/fields.h"

namespace imagewriter {
namespace {

using google::protobuf::FieldDescriptor;
using MessageType = google::protobuf::Descriptor;

absl::Status CheckMessage(const json::Value& v, const MessageType& type, const std::string& where);

// `where` is empty for the top-level value.
absl::Status Expected(const std::string& where, absl::string_view what, const json::Value& got) {
  return absl::InvalidArgumentError(absl::StrCat(where, where.empty() ? "" : ": ", "expected ",
                                                 what, ", got ", json::TypeName(got.type())));
}

// Every string of a request becomes a file path, a path in a tar, or part of
// a config or environment, and C cuts each of those at a NUL: "a\u0000b"
// would name the file "a" while the request says otherwise.
absl::Status CheckString(const json::Value& v, const std::string& where) {
  if (!v.is_string()) return Expected(where, "a string", v);
  if (v.text().find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": contains a NUL character"));
  }
  return absl::OkStatus();
}

absl::Status CheckInt64(const json::Value& v, const std::string& where) {
  int64_t n;
  if (v.type() != json::Value::Type::kNumber) return Expected(where, "an integer", v);
  if (json::NumberToInt64(v.text(), &n)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", v.text(), " is not an integer in the int64 range"));
}

// One value of a field (an element, for a repeated field).
absl::Status CheckScalar(const json::Value& v, const FieldDescriptor& field, const std::string& where) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_STRING:
      return CheckString(v, where);
    case FieldDescriptor::TYPE_BOOL:
      return v.type() == json::Value::Type::kBool ? absl::OkStatus() : Expected(where, "true or false", v);
    case FieldDescriptor::TYPE_INT64:
      return CheckInt64(v, where);
    case FieldDescriptor::TYPE_MESSAGE:
      return CheckMessage(v, *field.message_type(), where);
    default:
      return absl::InternalError(absl::StrCat(where, ": field type not handled by the request check"));
  }
}

// The schema's maps are all map<string, string>.
absl::Status CheckStringMap(const json::Value& v, const std::string& where) {
  if (!v.is_object()) return Expected(where, "an object of strings", v);
  for (const json::Value::Member& m : v.members()) {
    const std::string key_where = absl::StrCat(where, ".", m.first);
    absl::Status s = CheckString(json::Value::String(m.first), key_where);
    if (s.ok()) s = CheckString(m.second, key_where);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckField(const json::Value& v, const FieldDescriptor& field, const std::string& where) {
  if (v.is_null()) return absl::OkStatus();  // Absent, as protobuf and Go read it.
  if (field.is_map()) return CheckStringMap(v, where);
  if (!field.is_repeated()) return CheckScalar(v, field, where);
  if (!v.is_array()) return Expected(where, "an array", v);
  for (size_t i = 0; i < v.items().size(); ++i) {
    absl::Status s = CheckScalar(v.items()[i], field, absl::StrCat(where, "[", i, "]"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// The field a member names, by its proto or its JSON name; nullptr if none.
const FieldDescriptor* FieldNamed(const MessageType& type, const std::string& name) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* f = type.field(i);
    if (f->name() == name || f->json_name() == name) return f;
  }
  return nullptr;
}

// `where` is the message's path from the top: empty there.
absl::Status CheckMessage(const json::Value& v, const MessageType& type, const std::string& where) {
  if (!v.is_object()) return Expected(where, "a JSON object", v);
  std::set<int> seen;
  for (const json::Value::Member& m : v.members()) {
    const std::string member_where = where.empty() ? m.first : absl::StrCat(where, ".", m.first);
    const FieldDescriptor* field = FieldNamed(type, m.first);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(member_where, ": unknown field of ", type.name()));
    }
    if (!seen.insert(field->number()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(member_where, ": field \"", field->name(), "\" given twice"));
    }
    absl::Status s = CheckField(m.second, *field, member_where);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAgainstSchema(const json::Value& value, const MessageType& type) {
  return CheckMessage(value, type, "");
}

}  // namespace imagewriter
