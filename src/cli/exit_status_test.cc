#include "src/cli/exit_status.h"

#include "gtest/gtest.h"
#include "src/base/status.h"

namespace imagewriter {
namespace {

TEST(ExitStatusTest, FromTheStatusNotItsWords) {
  EXPECT_EQ(ExitStatus(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitStatus(UsageError("unknown flag --x")), kExitUsage);
  EXPECT_EQ(ExitStatus(WithContext("outer", UsageError("x"))), kExitUsage);
  EXPECT_EQ(ExitStatus(absl::InvalidArgumentError("bad flag value")), kExitFailure);
  EXPECT_EQ(ExitStatus(absl::NotFoundError("missing")), kExitFailure);
}

TEST(WithFlagHintTest, AppendsTheHintForItsOption) {
  const std::map<std::string, std::string> hints = {{"level", "--level"}};
  absl::Status s = WithFlagHint(WithOption("level", absl::InvalidArgumentError("level 13")), hints);
  EXPECT_EQ(s.message(), "level 13 (--level)");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WithFlagHint(absl::InvalidArgumentError("x"), hints).message(), "x");
  EXPECT_EQ(WithFlagHint(WithOption("other", absl::InvalidArgumentError("x")), hints).message(), "x");
}

}  // namespace
}  // namespace imagewriter
