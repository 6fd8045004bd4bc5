#include "src/layout/base_source.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include "gtest/gtest.h"
#include "src/io/file.h"
#include "src/json/writer.h"
#include "src/layout/oci_layout.h"
#include "src/oci/annotations.h"

namespace imagewriter {
namespace {

class BaseSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(getenv("TEST_TMPDIR")) + "/baseXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    ASSERT_EQ(mkdir((dir_ + "/blobs").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((dir_ + "/blobs/sha256").c_str(), 0755), 0);
    config_.media_type = "application/vnd.oci.image.config.v1+json";
    config_.digest = Digest::Sha256Of(kConfig);
    config_.size = sizeof(kConfig) - 1;
    manifest_ = json::Compact(json::Value::Object({{"schemaVersion", json::Value::Int(2)},
                                                   {"config", config_.ToJson()},
                                                   {"layers", json::Value::Array({})}}));
    root_.media_type = "application/vnd.oci.image.manifest.v1+json";
    root_.digest = Digest::Sha256Of(manifest_);
    root_.size = static_cast<int64_t>(manifest_.size());
    Blob(kConfig);
    Blob(manifest_);
  }

  void Blob(const std::string& bytes) {
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/blobs/sha256/" + Digest::Sha256Of(bytes).encoded(), bytes).ok());
  }
  absl::StatusOr<BaseSource> Read(const std::vector<Descriptor>& roots) {
    EXPECT_TRUE(WriteFileAtomically(dir_ + "/index.json", LayoutIndexJson(roots)).ok());
    return ReadBaseSource(*OpenLayoutDirectory(dir_), std::nullopt);
  }

  static constexpr char kConfig[] = R"({"architecture":"amd64","os":"linux"})";
  std::string dir_;
  std::string manifest_;
  Descriptor config_, root_;
};

TEST_F(BaseSourceTest, OneImageListedTwiceKeepsTheFirstNames) {
  Descriptor tagged = root_, other_tag = root_;
  tagged.annotations = {{kAnnotationRefName, "example.com/base:1"}, {"org.example.note", "dropped"}};
  other_tag.annotations = {{kAnnotationRefName, "example.com/base:latest"}};
  absl::StatusOr<BaseSource> base = Read({tagged, other_tag});
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->config, kConfig);
  EXPECT_EQ(base->manifest, manifest_);
  EXPECT_EQ(base->descriptor.digest, root_.digest);
  const std::map<std::string, std::string> names = {{kAnnotationRefName, "example.com/base:1"}};
  EXPECT_EQ(base->descriptor.annotations, names);
}

TEST_F(BaseSourceTest, RefusesNoImageAndTwoImages) {
  absl::StatusOr<BaseSource> none = Read({});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("index.json: lists no image"), std::string::npos) << none.status();
  Descriptor other = root_;
  other.digest = Digest::Sha256Of("another manifest");
  absl::StatusOr<BaseSource> two = Read({root_, other});
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("lists several images; a base must be one"), std::string::npos)
      << two.status();
}

TEST_F(BaseSourceTest, RefusesAConfigThatIsNotItsDigest) {
  const std::string path = dir_ + "/blobs/sha256/" + config_.digest.encoded();
  ASSERT_TRUE(WriteFileAtomically(path, R"({"architecture":"arm64","os":"linux"})").ok());
  absl::StatusOr<BaseSource> base = Read({root_});
  ASSERT_FALSE(base.ok());
  EXPECT_EQ(base.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(base.status().message().find("does not match the manifest's config digest"), std::string::npos);
}

}  // namespace
}  // namespace imagewriter
