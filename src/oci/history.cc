#include "src/oci/history.h"

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/json/fields.h"

namespace imagewriter {

json::Value History::ToJson() const {
  json::Value v = json::Value::Object();
  if (created) v.Set("created", json::Value::String(created->Format()));
  if (!created_by.empty()) v.Set("created_by", json::Value::String(created_by));
  if (!author.empty()) v.Set("author", json::Value::String(author));
  if (!comment.empty()) v.Set("comment", json::Value::String(comment));
  if (empty_layer) v.Set("empty_layer", json::Value::Bool(true));
  return v;
}

absl::StatusOr<History> History::FromJson(const json::Value& v,
                                          absl::string_view path) {
  absl::Status s = json::RequireObject(v, path);
  if (!s.ok()) return s;
  std::optional<std::string> created, created_by, author, comment;
  std::optional<bool> empty_layer;
  for (absl::Status st : {json::GetString(v, path, "created", &created),
                          json::GetString(v, path, "created_by", &created_by),
                          json::GetString(v, path, "author", &author),
                          json::GetString(v, path, "comment", &comment),
                          json::GetBool(v, path, "empty_layer", &empty_layer)}) {
    if (!st.ok()) return st;
  }
  History h;
  if (created) {
    absl::StatusOr<Timestamp> t = Timestamp::Parse(*created);
    if (!t.ok()) {
      return WithContext(absl::StrCat(path, ".created"), t.status());
    }
    h.created = *t;
  }
  h.created_by = created_by.value_or("");
  h.author = author.value_or("");
  h.comment = comment.value_or("");
  h.empty_layer = empty_layer.value_or(false);
  return h;
}

absl::StatusOr<std::vector<History>> HistoryFromConfig(const json::Value& config,
                                                       absl::string_view path) {
  std::vector<History> out;
  const json::Value* history = config.Find("history");
  if (history == nullptr || history->is_null()) return out;
  if (!history->is_array()) {
    return json::TypeError(path, "history", "an array", *history);
  }
  for (size_t i = 0; i < history->items().size(); ++i) {
    absl::StatusOr<History> h =
        History::FromJson(history->items()[i], absl::StrCat(path, ".history[", i, "]"));
    if (!h.ok()) return h.status();
    out.push_back(*std::move(h));
  }
  return out;
}

}  // namespace imagewriter
