#include "src/tar/path_safety.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace imagewriter {
namespace {

TarEntry Entry(std::string path, char type = '0', std::string link = "", uint64_t offset = 0) {
  TarEntry e;
  e.path = std::move(path);
  e.type = type;
  e.link_name = std::move(link);
  e.header_offset = offset;
  return e;
}

absl::Status CheckAll(const std::vector<TarEntry>& entries, bool allow = false) {
  PathSafety safety(allow);
  for (const TarEntry& e : entries) {
    absl::Status s = safety.Check(e);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

TEST(PathSafetyTest, WriteThroughAbsoluteSymlinkIsRefused) {
  absl::Status s = CheckAll({Entry("lib", '2', "/etc", 0), Entry("lib/passwd", '0', "", 1024)});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "entry \"lib/passwd\" at offset 1024 is written through symlink \"lib\" -> \"/etc\" at offset 0, "
            "which points out of the layer root");
  EXPECT_TRUE(CheckAll({Entry("lib", '2', "/etc"), Entry("lib/passwd")}, /*allow=*/true).ok());
}

TEST(PathSafetyTest, ClimbingAndChainedLinks) {
  EXPECT_FALSE(CheckAll({Entry("d/up", '2', "../.."), Entry("d/up/x")}).ok());
  // a -> b -> /etc: the chain is followed.
  absl::Status s = CheckAll({Entry("b", '2', "/etc", 0), Entry("a", '2', "b", 512), Entry("./a/x", '0', "", 1024)});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("\"./a/x\" at offset 1024 is written through symlink \"b\" -> \"/etc\" at offset 0"),
            std::string::npos)
      << s;
  // A link into a directory under an escaping link.
  EXPECT_FALSE(CheckAll({Entry("x", '2', "/etc"), Entry("y", '2', "x/sub"), Entry("y/z")}).ok());
  // Hard links whose target goes through one.
  EXPECT_FALSE(CheckAll({Entry("lib", '2', "/etc"), Entry("h", '1', "lib/shadow")}).ok());
  // Loops.
  s = CheckAll({Entry("a", '2', "b"), Entry("b", '2', "a"), Entry("a/x")});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("more than 40 symlinks"), std::string::npos) << s;
}

TEST(PathSafetyTest, LinksInsideTheRootAndReplacedLinksAreFine) {
  EXPECT_TRUE(CheckAll({Entry("usr/lib/", '5'), Entry("lib", '2', "usr/lib"), Entry("lib/x")}).ok());
  EXPECT_TRUE(CheckAll({Entry("lib", '2', "/etc"), Entry("lib/", '5'), Entry("lib/x")}).ok());
  EXPECT_TRUE(CheckAll({Entry("lib", '2', "/etc"), Entry("lib2/x")}).ok());  // Not under it.
  EXPECT_TRUE(CheckAll({Entry("lib", '2', "/etc"), Entry("lib", '2', "/usr")}).ok());  // The link itself.
  EXPECT_TRUE(CheckAll({Entry("d/up", '2', "../x"), Entry("d/up/y")}).ok());  // d/../x stays inside.
}

}  // namespace
}  // namespace imagewriter
