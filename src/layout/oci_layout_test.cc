#include "src/layout/oci_layout.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "src/io/file.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace {

class OciLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(getenv("TEST_TMPDIR")) + "/layoutXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/blob", "layer bytes").ok());
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/config.json", "{}").ok());
    blob_.media_type = "application/vnd.oci.image.layer.v1.tar";
    blob_.digest = Digest::Sha256Of("layer bytes");
    blob_.size = 11;
    Descriptor config;
    config.media_type = "application/vnd.oci.image.config.v1+json";
    config.digest = Digest::Sha256Of("{}");
    config.size = 2;
    manifest_ = json::Compact(json::Value::Object({{"schemaVersion", json::Value::Int(2)},
                                                   {"config", config.ToJson()},
                                                   {"layers", json::Value::Array({blob_.ToJson()})}}));
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/manifest.json", manifest_).ok());
    root_.media_type = "application/vnd.oci.image.manifest.v1+json";
    root_.digest = Digest::Sha256Of(manifest_);
    root_.size = static_cast<int64_t>(manifest_.size());
  }

  OciLayoutSpec Spec(const std::string& out) {
    OciLayoutSpec spec;
    spec.directory = out;
    spec.roots = {root_};
    spec.metadata_blobs = {dir_ + "/manifest.json", dir_ + "/config.json"};
    spec.blob_files = {{blob_, dir_ + "/blob"}};
    return spec;
  }

  std::string dir_;
  std::string manifest_;
  Descriptor blob_, root_;
};

TEST_F(OciLayoutTest, WritesLayoutAndLinksBlobs) {
  const std::string out = dir_ + "/layout";
  ASSERT_EQ(mkdir(out.c_str(), 0700), 0);  // Bazel pre-creates tree artifacts.
  absl::Status s = WriteOciLayout(Spec(out));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(*ReadFileToString(out + "/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_EQ(*ReadFileToString(out + "/index.json"), LayoutIndexJson({root_}));
  struct stat a, b;
  ASSERT_EQ(stat((out + "/blobs/sha256/" + blob_.digest.encoded()).c_str(), &a), 0);
  ASSERT_EQ(stat((dir_ + "/blob").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(*ReadFileToString(out + "/blobs/sha256/" + root_.digest.encoded()), manifest_);
  struct stat d;
  ASSERT_EQ(stat(out.c_str(), &d), 0);
  EXPECT_EQ(d.st_mode & 0777, 0755u);
}

TEST_F(OciLayoutTest, SizeMismatchFailsAndLeavesNothing) {
  const std::string out = dir_ + "/layout";
  OciLayoutSpec spec = Spec(out);
  spec.blob_files[0].descriptor.size = 99;
  absl::Status s = WriteOciLayout(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("blob is 11 bytes but its descriptor says 99"), std::string::npos) << s;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
}

TEST_F(OciLayoutTest, MissingBlobsComeFromBasesOrFail) {
  OciLayoutSpec spec = Spec(dir_ + "/no-blob");
  spec.blob_files.clear();
  absl::Status s = WriteOciLayout(spec);
  EXPECT_NE(s.message().find("no input or base holds it"), std::string::npos) << s;

  // A base layout that has the blob fills the gap.
  ASSERT_TRUE(WriteOciLayout(Spec(dir_ + "/base")).ok());
  spec = Spec(dir_ + "/from-base");
  spec.blob_files.clear();
  spec.bases = {dir_ + "/base"};
  s = WriteOciLayout(spec);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(*ReadFileToString(dir_ + "/from-base/blobs/sha256/" + blob_.digest.encoded()), "layer bytes");
}

TEST_F(OciLayoutTest, AbsentBlobsAreLeftOut) {
  OciLayoutSpec spec = Spec(dir_ + "/sparse");
  spec.blob_files.clear();
  spec.absent = {blob_};
  absl::Status s = WriteOciLayout(spec);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_NE(access((dir_ + "/sparse/blobs/sha256/" + blob_.digest.encoded()).c_str(), F_OK), 0);
  EXPECT_EQ(*ReadFileToString(dir_ + "/sparse/blobs/sha256/" + root_.digest.encoded()), manifest_);

  // Given as well, the blob is linked: absent means "need not be there".
  spec = Spec(dir_ + "/given");
  spec.absent = {blob_};
  ASSERT_TRUE(WriteOciLayout(spec).ok());
  EXPECT_EQ(*ReadFileToString(dir_ + "/given/blobs/sha256/" + blob_.digest.encoded()), "layer bytes");
}

TEST_F(OciLayoutTest, AbsentBlobOfAnotherSizeFailsAndLeavesNothing) {
  const std::string out = dir_ + "/sparse";
  OciLayoutSpec spec = Spec(out);
  spec.blob_files.clear();
  spec.absent = {blob_};
  spec.absent[0].size = 12;
  absl::Status s = WriteOciLayout(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("its descriptor says 12 bytes but the image's says 11"), std::string::npos) << s;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
}

TEST_F(OciLayoutTest, RefusesToReplaceANonEmptyDirectory) {
  const std::string out = dir_ + "/layout";
  ASSERT_EQ(mkdir(out.c_str(), 0755), 0);
  ASSERT_TRUE(WriteFileAtomically(out + "/keep", "x").ok());
  EXPECT_FALSE(WriteOciLayout(Spec(out)).ok());
  EXPECT_EQ(*ReadFileToString(out + "/keep"), "x");
}

}  // namespace
}  // namespace imagewriter
