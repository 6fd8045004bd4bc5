#include "src/request/stamper.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

TEST(StamperTest, WithoutStatusFilesNothingChanges) {
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles({});
  ASSERT_TRUE(stamper.ok());
  EXPECT_FALSE(stamper->enabled());
  EXPECT_EQ(stamper->Apply("v{BUILD_USER}"), "v{BUILD_USER}");
}

TEST(StamperTest, ReplacesKnownKeysAndLeavesOthers) {
  TestDir dir;
  const std::string status = dir.Write(
      "stable-status.txt", "BUILD_USER alice\nSTABLE_TAGS a b  c\n\nBARE\nBUILD_TIMESTAMP 1700000000\n");
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles({status});
  ASSERT_TRUE(stamper.ok()) << stamper.status();
  EXPECT_TRUE(stamper->enabled());
  EXPECT_EQ(stamper->Apply("{BUILD_USER}:{STABLE_TAGS}:{BARE}:{MISSING}:{BUILD_TIMESTAMP}"),
            "alice:a b  c::{MISSING}:1700000000");
  EXPECT_EQ(stamper->Apply("BUILD_USER {BUILD_USER"), "BUILD_USER {BUILD_USER");
}

TEST(StamperTest, AnEmptyStatusFileStillTurnsStampingOn) {
  TestDir dir;
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles({dir.Write("empty.txt", "")});
  ASSERT_TRUE(stamper.ok());
  EXPECT_TRUE(stamper->enabled());
  EXPECT_EQ(stamper->Apply("{X}"), "{X}");
}

TEST(StamperTest, AKeyDefinedTwiceTakesItsLastValue) {
  TestDir dir;
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles(
      {dir.Write("stable.txt", "K stable\nJ 1\nJ 2\n"), dir.Write("volatile.txt", "K volatile\n")});
  ASSERT_TRUE(stamper.ok());
  EXPECT_EQ(stamper->Apply("{K} {J}"), "volatile 2");
}

TEST(StamperTest, ValuesOnlyNotKeys) {
  TestDir dir;
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles({dir.Write("s.txt", "U bob\n")});
  ASSERT_TRUE(stamper.ok());
  std::map<std::string, std::string> labels = {{"{U}", "by {U}"}};
  stamper->ApplyToValues(&labels);
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"{U}", "by bob"}}));
}

TEST(StamperTest, MissingStatusFileIsNamed) {
  TestDir dir;
  const std::string path = dir.Path("absent.txt");
  absl::StatusOr<Stamper> stamper = Stamper::FromStatusFiles({path});
  ASSERT_FALSE(stamper.ok());
  EXPECT_TRUE(absl::StrContains(stamper.status().message(), path)) << stamper.status();
}

}  // namespace
}  // namespace imagewriter
