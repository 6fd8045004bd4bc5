#include "src/diff/json_diff.h"

#include "gtest/gtest.h"
#include "src/diff/report.h"
#include "src/json/parser.h"

namespace imagewriter {
namespace {

std::vector<std::string> Lines(const std::string& a, const std::string& b,
                               std::function<bool(absl::string_view)> skip = nullptr) {
  DiffReport report;
  CompareJson(*json::Parse(a, "a"), *json::Parse(b, "b"), Difference{"", kKindConfig, "", "", "", "", ""},
              skip, &report);
  std::vector<std::string> out;
  for (const Difference& d : report.differences()) out.push_back(DescribeDifference(d));
  return out;
}

TEST(JsonDiff, NamesTheDeepestPath) {
  EXPECT_EQ(Lines(R"({"config":{"Env":["A=1","B=2"]}})", R"({"config":{"Env":["A=1","B=3"]}})"),
            std::vector<std::string>{R"(config .config.Env[1]: "B=2" -> "B=3")"});
}

TEST(JsonDiff, AbsentMembersAndItemsOnEitherSide) {
  EXPECT_EQ(Lines(R"({"a":1,"l":[1,2]})", R"({"l":[1],"b":true})"),
            (std::vector<std::string>{"config .a: 1 -> (absent)", "config .l[1]: 2 -> (absent)",
                                      "config .b: (absent) -> true"}));
}

TEST(JsonDiff, QuotesKeysThatAreNotIdentifiers) {
  EXPECT_EQ(Lines(R"({"Labels":{"org.example":"x"}})", R"({"Labels":{"org.example":"y"}})"),
            std::vector<std::string>{R"(config .Labels["org.example"]: "x" -> "y")"});
}

TEST(JsonDiff, NumbersByTextAndTypesByType) {
  EXPECT_EQ(Lines(R"({"n":1,"t":"1"})", R"({"n":1.0,"t":1})"),
            (std::vector<std::string>{"config .n: 1 -> 1.0", R"(config .t: "1" -> 1)"}));
}

TEST(JsonDiff, SkippedPathsAndEverythingBelowThem) {
  EXPECT_TRUE(Lines(R"({"rootfs":{"diff_ids":["a"]}})", R"({"rootfs":{"diff_ids":["b"]}})",
                    [](absl::string_view p) { return p == ".rootfs.diff_ids"; })
                  .empty());
}

TEST(DiffReport, IdenticalTextAndJson) {
  DiffReport report;
  EXPECT_TRUE(report.identical());
  EXPECT_EQ(report.ToText(), "identical\n");
  EXPECT_NE(report.ToJson().find("\"identical\": true"), std::string::npos);
}

TEST(DiffReport, MediaTypesOnlyAndTruncation) {
  DiffReport report;
  report.Add(Difference{"", kKindMediaType, ".mediaType", "", "x", "y", ""});
  EXPECT_TRUE(report.only_media_types());
  EXPECT_EQ(report.ToText(), "same image, different media types:\nmedia-type .mediaType: x -> y\n");
  for (int i = 0; i < 5; ++i) report.Add(Difference{"", kKindConfig, ".a", "", "1", "2", ""});
  EXPECT_FALSE(report.only_media_types());
  EXPECT_EQ(report.ToText(2), "media-type .mediaType: x -> y\nconfig .a: 1 -> 2\n"
                              "... and 4 more differences (--json lists them)\n");
}

TEST(DiffReport, KeepsAtMostItsLimit) {
  DiffReport report;
  for (size_t i = 0; i < DiffReport::kMaxDifferences + 3; ++i) report.Add(Difference{});
  EXPECT_EQ(report.differences().size(), DiffReport::kMaxDifferences);
  EXPECT_EQ(report.dropped(), 3u);
}

}  // namespace
}  // namespace imagewriter
