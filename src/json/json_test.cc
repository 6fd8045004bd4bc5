#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/json/parser.h"
#include "src/json/utf8.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace json {
namespace {

Value MustParse(const std::string& text) {
  absl::StatusOr<Value> v = Parse(text, "test.json");
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Value();
}

std::string ParseError(const std::string& text) {
  absl::StatusOr<Value> v = Parse(text, "test.json");
  EXPECT_FALSE(v.ok()) << text;
  return v.ok() ? "" : std::string(v.status().message());
}

TEST(ParseTest, KeepsMemberOrderAndNumberText) {
  Value v = MustParse(R"({"b": 1, "a": [true, null, "x"], "n": 12345678901234567890123})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.members()[0].first, "b");
  EXPECT_EQ(v.Find("n")->text(), "12345678901234567890123");
  EXPECT_EQ(v.Find("a")->items().size(), 3u);
}

TEST(Utf8Test, CoerceToUtf8IsWhatTheWriterRoundTrips) {
  const std::string raw = "a\xff\xc3\xa9\xed\xa0\x80z";  // A byte, é, a surrogate.
  EXPECT_EQ(CoerceToUtf8(raw), "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
  std::string quoted;
  AppendQuoted(raw, &quoted);
  EXPECT_EQ(MustParse(quoted).text(), CoerceToUtf8(raw));
}

TEST(ParseStreamedTest, HandsOverItemsOneByOne) {
  std::vector<std::string> seen;
  StreamedArray stream{"e", [&](Value item) {
                         seen.push_back(std::string(item.source()));
                         return absl::OkStatus();
                       }};
  absl::StatusOr<Value> v =
      ParseStreamed(R"({"v": 1, "e": [{"a": [1]}, 2, "x"], "n": {"e": [3]}})", "t", stream);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(seen, (std::vector<std::string>{R"({"a": [1]})", "2", "\"x\""}));
  EXPECT_TRUE(v->Find("e")->is_array());
  EXPECT_TRUE(v->Find("e")->items().empty());
  EXPECT_EQ(v->Find("n")->Find("e")->items().size(), 1u);  // Only the top level's streams.
}

TEST(ParseStreamedTest, BoundsAnItemAndPassesOnErrors) {
  StreamedArray stream{"e", [](Value) { return absl::OkStatus(); }, 4};
  EXPECT_TRUE(ParseStreamed(R"({"e": [[1, 2, 3], [4]]})", "t", stream).ok());
  absl::StatusOr<Value> v = ParseStreamed(R"({"e": [[1, 2, 3, 4]]})", "t", stream);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("an item of \"e\" holds more than 4 values"),
            std::string::npos)
      << v.status();
  stream.on_item = [](Value) { return absl::InvalidArgumentError("no"); };
  EXPECT_EQ(ParseStreamed(R"({"e": [1]})", "t", stream).status().message(), "no");
}

TEST(ParseTest, DecodesEscapesAndSurrogates) {
  Value v = MustParse(R"(["\u00e9\n\/", "\ud83d\ude00", "\ud800x"])");
  EXPECT_EQ(v.items()[0].text(), "\xc3\xa9\n/");
  EXPECT_EQ(v.items()[1].text(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(v.items()[2].text(), "\xef\xbf\xbdx");
}

TEST(ParseTest, RejectsBadInputWithPosition) {
  EXPECT_NE(ParseError("{\"a\": 1,\n \"a\": 2}").find("duplicate key \"a\" at line 2, column 2"),
            std::string::npos);
  EXPECT_NE(ParseError("\"\xff\"").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(ParseError("\"\xc0\xaf\"").find("invalid UTF-8"), std::string::npos);  // Overlong.
  EXPECT_NE(ParseError("\"a\tb\"").find("control character"), std::string::npos);
  EXPECT_NE(ParseError("{} x").find("after the value"), std::string::npos);
  EXPECT_NE(ParseError("").find("empty input"), std::string::npos);
  EXPECT_NE(ParseError("\xEF\xBB\xBF{}").find("byte order mark"), std::string::npos);
  ParseError("01");
  ParseError("1.");
  ParseError("-");
  ParseError("[1,]");
  ParseError("{\"a\"}");
  ParseError("tru");
  ParseError("\"\\x\"");
  EXPECT_NE(ParseError(std::string(200, '[') + std::string(200, ']')).find("nesting"),
            std::string::npos);
}

// An object with n distinct keys "k0".."k<n-1>", each mapped to its index.
std::string ManyKeys(int n) {
  std::string text = "{";
  for (int i = 0; i < n; ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ",", "\"k", i, "\":", i);
  }
  return text + "}";
}

TEST(ParseTest, DuplicateKeyCheckIsLinear) {
  // Base configs come from registries: a scan of the earlier keys per key
  // took 7.6 s for 80,000 keys. The hash lookup compares a key with another
  // only when their hashes nearly agree: about 0.1 comparisons per key, plus
  // one per insert that Abseil's debug builds add to check Hash and Eq agree.
  // A scan would make n*(n-1)/2 = 2e10 of them.
  constexpr int kKeys = 200000;
  ParseStats stats;
  absl::StatusOr<Value> v = Parse(ManyKeys(kKeys), "big.json", &stats);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->members().size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(v->members()[kKeys - 1].first, "k199999");
  EXPECT_LT(stats.key_comparisons, 2u * kKeys);
}

TEST(ParseTest, DuplicateKeyFoundAmongMany) {
  std::string text = ManyKeys(50000);
  text.back() = ',';
  text += "\"k49999\": 0}";
  EXPECT_NE(ParseError(text).find("duplicate key \"k49999\""), std::string::npos);
  // Keys compare after unescaping: "\u0061" is "a".
  EXPECT_NE(ParseError(R"({"a": 1, "\u0061": 2})").find("duplicate key \"a\""),
            std::string::npos);
  // The same key in different objects is fine.
  MustParse(R"({"a": {"a": 1}, "b": {"a": 2}})");
}

TEST(WriterTest, GoStringEscaping) {
  std::string out;
  AppendQuoted("<a&b>\"\\\n\t\b\f\x01\x7f\xe2\x80\xa8\xe2\x80\xa9\xff\xc3\xa9", &out);
  EXPECT_EQ(out,
            R"("\u003ca\u0026b\u003e\"\\\n\t\b\f\u0001)" "\x7f"
            R"(\u2028\u2029\ufffd)" "\xc3\xa9\"");
}

TEST(WriterTest, CompactAndIndentOfBuiltValues) {
  Value v = Value::Object({{"schemaVersion", Value::Int(2)},
                           {"layers", Value::Array()},
                           {"annotations", Value::Object()},
                           {"list", Value::StringArray({"a", "b"})}});
  EXPECT_EQ(Compact(v), R"({"schemaVersion":2,"layers":[],"annotations":{},"list":["a","b"]})");
  EXPECT_EQ(Indent(v),
            "{\n  \"schemaVersion\": 2,\n  \"layers\": [],\n  \"annotations\": {},\n"
            "  \"list\": [\n    \"a\",\n    \"b\"\n  ]\n}");
}

TEST(WriterTest, UnchangedParsedValuesAreReEmittedLikeGoRawMessage) {
  // Escapes and number spellings survive; whitespace goes; <>& are escaped.
  Value v = MustParse("{ \"x\" : [ 1.50 , \"\\u00e9<\" ],\n \"y\": {\"k\": 1e3} }");
  EXPECT_EQ(Compact(v), R"({"x":[1.50,"\u00e9\u003c"],"y":{"k":1e3}})");
  EXPECT_EQ(Indent(v),
            "{\n  \"x\": [\n    1.50,\n    \"\\u00e9\\u003c\"\n  ],\n  \"y\": {\n"
            "    \"k\": 1e3\n  }\n}");
  // Changing one member re-serialises the object but keeps the others raw.
  v.Set("z", Value::String("new"));
  EXPECT_EQ(Compact(v), R"({"x":[1.50,"\u00e9\u003c"],"y":{"k":1e3},"z":"new"})");
}

}  // namespace
}  // namespace json
}  // namespace imagewriter
