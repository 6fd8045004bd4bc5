#include "src/json/parser.h"

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/json/utf8.h"

namespace imagewriter {
namespace json {
namespace {

// Key equality that counts its calls into ParseStats, so tests can hold the
// duplicate-key check to its cost without timing it.
struct CountingKeyEq {
  bool operator()(absl::string_view a, absl::string_view b) const {
    if (stats != nullptr) ++stats->key_comparisons;
    return a == b;
  }
  ParseStats* stats;
};

// The keys of one object seen so far. Objects come from untrusted registries
// with any number of members, so the duplicate check must be a hash lookup,
// not a scan of the members before it.
using KeySet = absl::flat_hash_set<std::string, absl::Hash<absl::string_view>, CountingKeyEq>;

}  // namespace

class Parser {
 public:
  Parser(std::shared_ptr<const std::string> source, absl::string_view what, ParseStats* stats,
         const StreamedArray* stream = nullptr)
      : source_(std::move(source)), text_(*source_), what_(what), stats_(stats), stream_(stream) {}

  absl::StatusOr<Value> ParseDocument() {
    Value v;
    SkipSpace();
    absl::Status s = ParseValue(&v, 0);
    if (!s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Fail("unexpected content after the value");
    return v;
  }

 private:
  absl::Status Fail(absl::string_view problem) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat(what_, ": ", problem, " at line ", line, ", column ",
                     column, " (offset ", pos_, ")"));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(absl::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  absl::Status ParseValue(Value* out, int depth) {
    if (depth > kMaxDepth) {
      return Fail(absl::StrCat("nesting deeper than ", kMaxDepth, " levels"));
    }
    if (pos_ >= text_.size()) return Fail("unexpected end of input");
    if (in_item_ && ++item_values_ > stream_->max_item_values) {
      return Fail(absl::StrCat("an item of \"", stream_->key, "\" holds more than ",
                               stream_->max_item_values, " values"));
    }
    const bool streamed = streamed_member_;
    streamed_member_ = false;
    const size_t begin = pos_;
    absl::Status s;
    switch (text_[pos_]) {
      case '{':
        s = ParseObject(out, depth);
        break;
      case '[':
        s = streamed ? ParseStreamedArray(depth) : ParseArray(out, depth);
        if (streamed) *out = Value::Array();
        break;
      case '"': {
        std::string str;
        s = ParseString(&str);
        *out = Value::String(std::move(str));
        break;
      }
      case 't':
        if (!Consume("true")) return Fail("invalid literal");
        *out = Value::Bool(true);
        break;
      case 'f':
        if (!Consume("false")) return Fail("invalid literal");
        *out = Value::Bool(false);
        break;
      case 'n':
        if (!Consume("null")) return Fail("invalid literal");
        *out = Value();
        break;
      default:
        s = ParseNumber(out);
    }
    if (!s.ok()) return s;
    out->source_ = source_;
    out->begin_ = begin;
    out->end_ = pos_;
    return absl::OkStatus();
  }

  absl::Status ParseObject(Value* out, int depth) {
    ++pos_;  // '{'
    *out = Value::Object();
    std::vector<Value::Member> members;
    KeySet keys(0, KeySet::hasher(), CountingKeyEq{stats_});
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail("expected a string key");
      }
      const size_t key_pos = pos_;
      std::string key;
      absl::Status s = ParseString(&key);
      if (!s.ok()) return s;
      if (!keys.insert(key).second) {
        pos_ = key_pos;
        return Fail(absl::StrCat("duplicate key \"", key, "\""));
      }
      SkipSpace();
      if (!Consume(":")) return Fail("expected ':' after an object key");
      SkipSpace();
      Value v;
      streamed_member_ = stream_ != nullptr && depth == 0 && key == stream_->key;
      s = ParseValue(&v, depth + 1);
      if (!s.ok()) return s;
      members.emplace_back(std::move(key), std::move(v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("}")) break;
      return Fail("expected ',' or '}' in an object");
    }
    *out = Value::Object(std::move(members));
    return absl::OkStatus();
  }

  absl::Status ParseArray(Value* out, int depth) {
    ++pos_;  // '['
    std::vector<Value> items;
    SkipSpace();
    if (!Consume("]")) {
      while (true) {
        SkipSpace();
        Value v;
        absl::Status s = ParseValue(&v, depth + 1);
        if (!s.ok()) return s;
        items.push_back(std::move(v));
        SkipSpace();
        if (Consume(",")) continue;
        if (Consume("]")) break;
        return Fail("expected ',' or ']' in an array");
      }
    }
    *out = Value::Array(std::move(items));
    return absl::OkStatus();
  }

  // The items go to stream_->on_item, each parsed as its own tree.
  absl::Status ParseStreamedArray(int depth) {
    ++pos_;  // '['
    SkipSpace();
    if (Consume("]")) return absl::OkStatus();
    while (true) {
      SkipSpace();
      Value v;
      in_item_ = true;
      item_values_ = 0;
      absl::Status s = ParseValue(&v, depth + 1);
      in_item_ = false;
      if (s.ok()) s = stream_->on_item(std::move(v));
      if (!s.ok()) return s;
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("]")) return absl::OkStatus();
      return Fail("expected ',' or ']' in an array");
    }
  }

  absl::Status ParseHex4(uint32_t* code) {
    if (pos_ + 4 > text_.size()) return Fail("truncated \\u escape");
    *code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      *code <<= 4;
      if (c >= '0' && c <= '9') *code |= c - '0';
      else if (c >= 'a' && c <= 'f') *code |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *code |= c - 'A' + 10;
      else return Fail("invalid hex digit in a \\u escape");
    }
    return absl::OkStatus();
  }

  absl::Status ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return Fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= text_.size()) return Fail("unterminated escape");
        char e = text_[pos_++];
        switch (e) {
          case '"': out->push_back('"'); break;
          case '\\': out->push_back('\\'); break;
          case '/': out->push_back('/'); break;
          case 'b': out->push_back('\b'); break;
          case 'f': out->push_back('\f'); break;
          case 'n': out->push_back('\n'); break;
          case 'r': out->push_back('\r'); break;
          case 't': out->push_back('\t'); break;
          case 'u': {
            uint32_t code;
            absl::Status s = ParseHex4(&code);
            if (!s.ok()) return s;
            if (code >= 0xd800 && code < 0xdc00 &&
                text_.substr(pos_, 2) == "\\u") {
              size_t save = pos_;
              pos_ += 2;
              uint32_t low;
              s = ParseHex4(&low);
              if (!s.ok()) return s;
              if (low >= 0xdc00 && low < 0xe000) {
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
              } else {
                pos_ = save;  // Not a pair: decode the next escape on its own.
                code = 0xfffd;
              }
            } else if (code >= 0xd800 && code < 0xe000) {
              code = 0xfffd;
            }
            AppendUtf8(code, out);
            break;
          }
          default:
            --pos_;
            return Fail("invalid escape character");
        }
        continue;
      }
      size_t length = ValidUtf8SequenceLength(text_.substr(pos_));
      if (length == 0) return Fail("invalid UTF-8 in a string");
      out->append(text_.data() + pos_, length);
      pos_ += length;
    }
  }

  absl::Status ParseNumber(Value* out) {
    const size_t begin = pos_;
    auto digits = [&]() {
      size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - start;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size()) return Fail("invalid number");
    if (text_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      pos_ = begin;
      return Fail("unexpected character");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Fail("invalid number: digits expected after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Fail("invalid number: digits expected in exponent");
    }
    *out = Value::NumberText(std::string(text_.substr(begin, pos_ - begin)));
    return absl::OkStatus();
  }

  std::shared_ptr<const std::string> source_;
  absl::string_view text_;
  std::string what_;
  ParseStats* stats_;
  const StreamedArray* stream_;
  bool streamed_member_ = false;  // The value next parsed is the streamed member's.
  bool in_item_ = false;          // Inside a streamed item: its values are counted.
  uint64_t item_values_ = 0;
  size_t pos_ = 0;
};

namespace {

absl::StatusOr<Value> ParseWith(std::string text, absl::string_view what, ParseStats* stats,
                                const StreamedArray* stream) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": starts with a byte order mark; JSON must not"));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": empty input, expected a JSON value"));
  }
  Parser parser(std::make_shared<const std::string>(std::move(text)), what, stats, stream);
  return parser.ParseDocument();
}

}  // namespace

absl::StatusOr<Value> Parse(std::string text, absl::string_view what, ParseStats* stats) {
  return ParseWith(std::move(text), what, stats, nullptr);
}

absl::StatusOr<Value> ParseStreamed(std::string text, absl::string_view what,
                                    const StreamedArray& stream) {
  return ParseWith(std::move(text), what, nullptr, &stream);
}

}  // namespace json
}  // namespace imagewriter
