#include "src/diff/json_diff.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace {

constexpr size_t kExcerptBytes = 200;

bool IsIdentifier(absl::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

class Comparer {
 public:
  Comparer(const Difference& base, const std::function<bool(absl::string_view)>& skip,
           DiffReport* report)
      : base_(base), skip_(skip), report_(report) {}

  void Compare(const json::Value* a, const json::Value* b, const std::string& path) {
    if (skip_ && skip_(path)) return;
    if (a == nullptr || b == nullptr || a->type() != b->type()) {
      Report(a, b, path);
    } else if (a->is_object()) {
      CompareObjects(*a, *b, path);
    } else if (a->is_array()) {
      CompareArrays(*a, *b, path);
    } else if (a->text() != b->text() || a->bool_value() != b->bool_value()) {
      Report(a, b, path);
    }
  }

 private:
  void CompareObjects(const json::Value& a, const json::Value& b, const std::string& path) {
    for (const json::Value::Member& m : a.members()) {
      Compare(&m.second, b.Find(m.first), JsonMemberPath(path, m.first));
    }
    for (const json::Value::Member& m : b.members()) {
      if (a.Find(m.first) == nullptr) Compare(nullptr, &m.second, JsonMemberPath(path, m.first));
    }
  }

  void CompareArrays(const json::Value& a, const json::Value& b, const std::string& path) {
    const size_t n = std::max(a.items().size(), b.items().size());
    for (size_t i = 0; i < n; ++i) {
      const json::Value* x = i < a.items().size() ? &a.items()[i] : nullptr;
      const json::Value* y = i < b.items().size() ? &b.items()[i] : nullptr;
      Compare(x, y, absl::StrCat(path, "[", i, "]"));
    }
  }

  void Report(const json::Value* a, const json::Value* b, const std::string& path) {
    Difference d = base_;
    d.subject = path.empty() ? "." : path;
    d.a = a == nullptr ? kAbsent : JsonExcerpt(*a);
    d.b = b == nullptr ? kAbsent : JsonExcerpt(*b);
    report_->Add(std::move(d));
  }

  const Difference& base_;
  const std::function<bool(absl::string_view)>& skip_;
  DiffReport* report_;
};

}  // namespace

std::string JsonMemberPath(absl::string_view path, absl::string_view key) {
  if (IsIdentifier(key)) return absl::StrCat(path, ".", key);
  std::string quoted;
  json::AppendQuoted(key, &quoted);
  return absl::StrCat(path, "[", quoted, "]");
}

std::string JsonExcerpt(const json::Value& v) {
  std::string text = json::Compact(v);
  if (text.size() > kExcerptBytes) {
    text.resize(kExcerptBytes);
    text += "...";
  }
  return text;
}

void CompareJson(const json::Value& a, const json::Value& b, const Difference& base,
                 const std::function<bool(absl::string_view path)>& skip, DiffReport* report) {
  Comparer(base, skip, report).Compare(&a, &b, "");
}

}  // namespace imagewriter
