#include "src/json/fields.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace json {
namespace {

std::string Where(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

}  // namespace

absl::Status TypeError(absl::string_view path, absl::string_view key,
                       absl::string_view expected, const Value& got) {
  return absl::InvalidArgumentError(absl::StrCat(
      Where(path, key), ": expected ", expected, ", got ", TypeName(got.type())));
}

absl::Status RequireObject(const Value& v, absl::string_view path) {
  if (v.is_object()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected an object, got ", TypeName(v.type())));
}

bool NumberToInt64(absl::string_view text, int64_t* out) {
  if (text.find_first_of(".eE") != absl::string_view::npos) return false;
  return absl::SimpleAtoi(text, out);
}

absl::Status GetString(const Value& obj, absl::string_view path,
                       absl::string_view key, std::optional<std::string>* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (!v->is_string()) return TypeError(path, key, "a string", *v);
  *out = v->text();
  return absl::OkStatus();
}

absl::Status GetInt64(const Value& obj, absl::string_view path,
                      absl::string_view key, std::optional<int64_t>* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (v->type() != Value::Type::kNumber) return TypeError(path, key, "an integer", *v);
  int64_t n;
  if (!NumberToInt64(v->text(), &n)) {
    return absl::InvalidArgumentError(absl::StrCat(
        Where(path, key), ": ", v->text(), " is not an integer in the int64 range"));
  }
  *out = n;
  return absl::OkStatus();
}

absl::Status GetBool(const Value& obj, absl::string_view path,
                     absl::string_view key, std::optional<bool>* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (v->type() != Value::Type::kBool) return TypeError(path, key, "a boolean", *v);
  *out = v->bool_value();
  return absl::OkStatus();
}

absl::Status GetStringArray(const Value& obj, absl::string_view path,
                            absl::string_view key,
                            std::optional<std::vector<std::string>>* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (!v->is_array()) return TypeError(path, key, "an array of strings", *v);
  std::vector<std::string> items;
  for (size_t i = 0; i < v->items().size(); ++i) {
    const Value& item = v->items()[i];
    if (!item.is_string()) {
      return TypeError(path, absl::StrCat(key, "[", i, "]"), "a string", item);
    }
    items.push_back(item.text());
  }
  *out = std::move(items);
  return absl::OkStatus();
}

absl::Status GetStringMap(const Value& obj, absl::string_view path,
                          absl::string_view key,
                          std::map<std::string, std::string>* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return absl::OkStatus();
  if (!v->is_object()) return TypeError(path, key, "an object of strings", *v);
  for (const Value::Member& m : v->members()) {
    if (!m.second.is_string()) {
      return TypeError(Where(path, key), m.first, "a string", m.second);
    }
    (*out)[m.first] = m.second.text();
  }
  return absl::OkStatus();
}

}  // namespace json
}  // namespace imagewriter
