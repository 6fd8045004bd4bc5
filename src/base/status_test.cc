#include "src/base/status.h"

#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace imagewriter {
namespace {

TEST(WithContextTest, PrefixesMessageAndKeepsCode) {
  absl::Status s = WithContext("a.tar", absl::DataLossError("truncated"));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "a.tar: truncated");
}

TEST(WithContextTest, KeepsPayloads) {
  absl::Status inner = absl::InvalidArgumentError("bad");
  inner.SetPayload("imagewriter/test", absl::Cord("value"));
  absl::Status s = WithContext("outer", WithContext("middle", inner));
  EXPECT_EQ(s.message(), "outer: middle: bad");
  ASSERT_TRUE(s.GetPayload("imagewriter/test").has_value());
  EXPECT_EQ(std::string(*s.GetPayload("imagewriter/test")), "value");
}

TEST(WithOptionTest, NamesTheOptionThroughContexts) {
  absl::Status s = WithContext("in.tar", WithOption("level", absl::InvalidArgumentError("level 13")));
  EXPECT_EQ(OptionOf(s), "level");
  EXPECT_EQ(s.message(), "in.tar: level 13");
  EXPECT_EQ(OptionOf(absl::InvalidArgumentError("x")), "");
  EXPECT_TRUE(WithOption("level", absl::OkStatus()).ok());
}

TEST(WithContextTest, OkStaysOk) { EXPECT_TRUE(WithContext("x", absl::OkStatus()).ok()); }

}  // namespace
}  // namespace imagewriter
