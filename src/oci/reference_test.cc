#include "src/oci/reference.h"

#include "gtest/gtest.h"

namespace imagewriter {
namespace {

TEST(ReferenceTest, ParsesTheUsualForms) {
  absl::StatusOr<Reference> r = ParseReference("registry.example.com:5000/team/app:1.0");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->domain, "registry.example.com:5000");
  EXPECT_EQ(r->path, "team/app");
  EXPECT_EQ(r->tag, "1.0");
  r = ParseReference("team/app:latest");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "");
  EXPECT_EQ(r->path, "team/app");
  EXPECT_EQ(r->FamiliarToFull(), "docker.io/team/app");
  EXPECT_EQ(ParseReference("app:v1")->FamiliarToFull(), "docker.io/library/app");
  EXPECT_EQ(ParseReference("localhost/app:v1")->domain, "localhost");
  EXPECT_EQ(ParseReference("127.0.0.1:5000/app")->domain, "127.0.0.1:5000");
  EXPECT_EQ(ParseReference("[::1]:5000/iw/app:v1")->domain, "[::1]:5000");
  EXPECT_EQ(ParseReference("[fe80::1]/app")->domain, "[fe80::1]");
  EXPECT_TRUE(ParseReference("app@sha256:" + std::string(64, 'a')).ok());
  EXPECT_TRUE(ParseReference("a__b/c-d/e.f:Tag_1.x").ok());
}

TEST(ReferenceTest, RejectsBadOnes) {
  for (const char* bad : {"App:1", "app:", "app:-x", "app::1", "/app", "app/", "a/B/c:1",
                          "app:" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                          "app with space:1", "", "[::1/app", "[g::1]/app", "::1/app"}) {
    EXPECT_FALSE(ParseReference(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseRepoTag("app").ok());
  EXPECT_FALSE(ParseRepoTag("app@sha256:" + std::string(64, 'a')).ok());
  EXPECT_TRUE(ParseRepoTag("example.com/app:1.0").ok());
}

}  // namespace
}  // namespace imagewriter
