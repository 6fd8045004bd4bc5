#include "src/json/value.h"

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace json {

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Int(int64_t n) { return NumberText(absl::StrCat(n)); }

Value Value::NumberText(std::string text) {
  Value v;
  v.type_ = Type::kNumber;
  v.text_ = std::move(text);
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.type_ = Type::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Array(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kArray;
  v.items_ = std::move(items);
  return v;
}

Value Value::Object(std::vector<Member> members) {
  Value v;
  v.type_ = Type::kObject;
  v.members_ = std::move(members);
  return v;
}

Value Value::StringArray(const std::vector<std::string>& items) {
  std::vector<Value> values;
  values.reserve(items.size());
  for (const std::string& s : items) values.push_back(String(s));
  return Array(std::move(values));
}

Value Value::SortedObject(const std::map<std::string, std::string>& m) {
  std::vector<Member> members;
  members.reserve(m.size());
  for (const auto& [k, v] : m) members.emplace_back(k, String(v));
  return Object(std::move(members));
}

const Value* Value::Find(absl::string_view key) const {
  for (const Member& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

void Value::Set(absl::string_view key, Value value) {
  ClearSource();
  for (Member& m : members_) {
    if (m.first == key) {
      m.second = std::move(value);
      return;
    }
  }
  members_.emplace_back(std::string(key), std::move(value));
}

bool Value::Remove(absl::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      ClearSource();
      members_.erase(it);
      return true;
    }
  }
  return false;
}

absl::string_view Value::source() const {
  if (!source_) return absl::string_view();
  return absl::string_view(*source_).substr(begin_, end_ - begin_);
}

absl::string_view TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "a boolean";
    case Value::Type::kNumber:
      return "a number";
    case Value::Type::kString:
      return "a string";
    case Value::Type::kArray:
      return "an array";
    case Value::Type::kObject:
      return "an object";
  }
  return "unknown";
}

}  // namespace json
}  // namespace imagewriter
