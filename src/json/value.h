// json::Value: a JSON document tree that remembers where it came from.
//
// Objects keep their members in document order. Numbers keep their source
// text, so no value is ever rounded through a double. A parsed value also
// keeps a reference to its source span, so that the writer can re-emit a
// value it did not change exactly as Go's encoding/json re-emits a
// json.RawMessage (compacted, HTML-escaped), byte for byte.
#ifndef IMAGEWRITER_JSON_VALUE_H_
#define IMAGEWRITER_JSON_VALUE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {
namespace json {

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, Value>;

  Value() = default;  // null
  static Value Bool(bool b);
  static Value Int(int64_t n);
  static Value NumberText(std::string text);  // Must be valid JSON number text.
  static Value String(std::string s);
  static Value Array(std::vector<Value> items = {});
  static Value Object(std::vector<Member> members = {});
  static Value StringArray(const std::vector<std::string>& items);
  // An object whose members are the map's entries in key order.
  static Value SortedObject(const std::map<std::string, std::string>& m);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_string() const { return type_ == Type::kString; }

  bool bool_value() const { return bool_; }
  const std::string& text() const { return text_; }  // String or number text.
  const std::vector<Value>& items() const { return items_; }
  const std::vector<Member>& members() const { return members_; }

  // Object access. Find returns nullptr when absent.
  const Value* Find(absl::string_view key) const;
  // Replaces the member in place if present, else appends it.
  void Set(absl::string_view key, Value value);
  bool Remove(absl::string_view key);
  void Append(Value item) { ClearSource(); items_.push_back(std::move(item)); }

  // The exact source text this value was parsed from, or empty if the value
  // was built or changed in memory.
  absl::string_view source() const;

 private:
  friend class Parser;
  void ClearSource() { source_.reset(); }

  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<Value> items_;
  std::vector<Member> members_;
  std::shared_ptr<const std::string> source_;
  size_t begin_ = 0, end_ = 0;
};

// Human-readable name of a type, for error messages ("an object", ...).
absl::string_view TypeName(Value::Type type);

}  // namespace json
}  // namespace imagewriter

#endif  // IMAGEWRITER_JSON_VALUE_H_
