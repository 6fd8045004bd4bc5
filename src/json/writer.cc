#include "src/json/writer.h"

#include "src/json/utf8.h"

namespace imagewriter {
namespace json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendUnicodeEscape(uint32_t code, std::string* out) {
  out->append("\\u");
  out->push_back(kHex[(code >> 12) & 0xf]);
  out->push_back(kHex[(code >> 8) & 0xf]);
  out->push_back(kHex[(code >> 4) & 0xf]);
  out->push_back(kHex[code & 0xf]);
}

bool IsLineOrParagraphSeparator(absl::string_view s, size_t i) {
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xe2 &&
         static_cast<unsigned char>(s[i + 1]) == 0x80 &&
         (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8;
}

// Go's compact() with HTML escaping, over a valid JSON text.
void AppendCompactSource(absl::string_view src, std::string* out) {
  bool in_string = false;
  for (size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (!in_string && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      continue;
    }
    if (in_string && c == '\\') {
      out->push_back(c);
      out->push_back(src[++i]);
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<' || c == '>' || c == '&') {
      AppendUnicodeEscape(static_cast<unsigned char>(c), out);
    } else if (IsLineOrParagraphSeparator(src, i)) {
      AppendUnicodeEscape(0x2028 | (src[i + 2] & 1), out);
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

// Go's Indent() over compact JSON text, continuing at nesting `level`.
void AppendIndentedCompact(absl::string_view src, int level, std::string* out) {
  bool in_string = false;
  auto newline = [&]() {
    out->push_back('\n');
    out->append(static_cast<size_t>(level) * 2, ' ');
  };
  for (size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (in_string) {
      out->push_back(c);
      if (c == '\\') out->push_back(src[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out->push_back(c);
        break;
      case '{':
      case '[':
        out->push_back(c);
        if (i + 1 < src.size() && (src[i + 1] == '}' || src[i + 1] == ']')) {
          out->push_back(src[++i]);  // Empty: stays "{}" or "[]".
        } else {
          ++level;
          newline();
        }
        break;
      case '}':
      case ']':
        --level;
        newline();
        out->push_back(c);
        break;
      case ',':
        out->push_back(c);
        newline();
        break;
      case ':':
        out->append(": ");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendValue(const Value& v, int indent, std::string* out) {
  // Unchanged parsed values are emitted from their source, as Go does for a
  // json.RawMessage: compacted, and re-indented under MarshalIndent.
  absl::string_view source = v.source();
  if (!source.empty()) {
    if (indent < 0) {
      AppendCompactSource(source, out);
    } else {
      std::string compact;
      AppendCompactSource(source, &compact);
      AppendIndentedCompact(compact, indent, out);
    }
    return;
  }
  auto newline = [&](int level) {
    if (indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(level) * 2, ' ');
  };
  switch (v.type()) {
    case Value::Type::kNull:
      out->append("null");
      return;
    case Value::Type::kBool:
      out->append(v.bool_value() ? "true" : "false");
      return;
    case Value::Type::kNumber:
      out->append(v.text());
      return;
    case Value::Type::kString:
      AppendQuoted(v.text(), out);
      return;
    case Value::Type::kArray: {
      if (v.items().empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        newline(indent + 1);
        AppendValue(item, indent < 0 ? -1 : indent + 1, out);
      }
      newline(indent);
      out->push_back(']');
      return;
    }
    case Value::Type::kObject: {
      if (v.members().empty()) {
        out->append("{}");
        return;
      }
      out->push_back('{');
      bool first = true;
      for (const Value::Member& m : v.members()) {
        if (!first) out->push_back(',');
        first = false;
        newline(indent + 1);
        AppendQuoted(m.first, out);
        out->append(indent < 0 ? ":" : ": ");
        AppendValue(m.second, indent < 0 ? -1 : indent + 1, out);
      }
      newline(indent);
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

void AppendQuoted(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '<':
        case '>':
        case '&':
          AppendUnicodeEscape(c, out);
          break;
        default:
          if (c < 0x20) {
            AppendUnicodeEscape(c, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = ValidUtf8SequenceLength(s.substr(i));
    if (n == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (IsLineOrParagraphSeparator(s, i)) {
      AppendUnicodeEscape(0x2028 | (s[i + 2] & 1), out);
    } else {
      out->append(s.data() + i, n);
    }
    i += n;
  }
  out->push_back('"');
}

std::string Compact(const Value& value) {
  std::string out;
  AppendValue(value, -1, &out);
  return out;
}

std::string Indent(const Value& value) {
  std::string out;
  AppendValue(value, 0, &out);
  return out;
}

}  // namespace json
}  // namespace imagewriter
