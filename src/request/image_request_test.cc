#include "src/request/image_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

class ImageRequestTest : public testing::Test {
 protected:
  absl::StatusOr<ImageSpec> Read(const std::string& json,
                                 const std::optional<std::string>& env = std::nullopt) {
    path_ = dir_.Write("req.json", json);
    return ReadImageRequest(path_, env);
  }
  std::string Error(const std::string& json, const std::optional<std::string>& env = std::nullopt) {
    absl::StatusOr<ImageSpec> spec = Read(json, env);
    return spec.ok() ? "OK" : std::string(spec.status().message());
  }
  // A JSON string naming `name`, written with `contents`.
  std::string File(const std::string& name, const std::string& contents) {
    return absl::StrCat("\"", dir_.Write(name, contents), "\"");
  }

  TestDir dir_;
  std::string path_;
};

TEST_F(ImageRequestTest, StampsCreatedEnvLabelsAndAnnotations) {
  const std::string status = File("status.txt", "USER bob\nBUILD_TIMESTAMP 1700000000\n");
  absl::StatusOr<ImageSpec> spec = Read(absl::StrCat(
      R"({"statusFiles": [)", status, R"(], "created": "{BUILD_TIMESTAMP}", "env": ["{USER}=1"],)",
      R"("envFiles": [)", File("env.txt", "BY={USER}\n"), R"(], "labels": {"{USER}": "{USER}"},)",
      R"("annotations": {"by": "{USER}"}})"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->created, Timestamp::FromUnixSeconds(1700000000));
  EXPECT_EQ(spec->fragment.env, (std::vector<std::string>{"bob=1", "BY=bob"}));
  EXPECT_EQ(spec->fragment.labels.at("{USER}"), "bob");
  EXPECT_EQ(spec->annotations.at("by"), "bob");
}

TEST_F(ImageRequestTest, UnstampedPlaceholdersLeaveCreatedUnset) {
  absl::StatusOr<ImageSpec> spec = Read(R"({"created": "{BUILD_TIMESTAMP}", "env": ["A={X}"]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->created.has_value());
  EXPECT_EQ(spec->fragment.env, (std::vector<std::string>{"A={X}"}));
  // Stamped but not in the status files, the placeholder stays, and is no time.
  const std::string error =
      Error(absl::StrCat(R"({"statusFiles": [)", File("s.txt", ""), R"(], "created": "{X}"})"));
  EXPECT_TRUE(absl::StartsWith(error, path_ + ": created: ")) << error;
}

TEST_F(ImageRequestTest, SourceDateEpochFromRequestThenEnvironment) {
  absl::StatusOr<ImageSpec> spec = Read(R"({"sourceDateEpoch": "10"})", "20");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->source_date_epoch, Timestamp::FromUnixSeconds(10));
  spec = Read("{}", "20");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->source_date_epoch, Timestamp::FromUnixSeconds(20));
  EXPECT_TRUE(absl::StartsWith(Error("{}", "-1"), path_ + " (SOURCE_DATE_EPOCH from the environment): "))
      << Error("{}", "-1");
  EXPECT_TRUE(absl::StartsWith(Error(R"({"sourceDateEpoch": "x"})"), path_ + ": source_date_epoch: "));
}

TEST_F(ImageRequestTest, ClampBaseHistoryNeedsAnEpoch) {
  const std::string error = Error(R"({"clampBaseHistory": true})");
  EXPECT_EQ(error, path_ + ": clamp_base_history needs a SOURCE_DATE_EPOCH (source_date_epoch, or the "
                           "variable) to clamp to");
  absl::StatusOr<ImageSpec> spec = Read(R"({"clampBaseHistory": true})", "1700000000");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->clamp_base_history);
  spec = Read(R"({"clampBaseHistory": true, "sourceDateEpoch": "1"})");
  ASSERT_TRUE(spec.ok()) << spec.status();
}

TEST_F(ImageRequestTest, EnvFilesKeepOrderAndRepeatedKeys) {
  absl::StatusOr<ImageSpec> spec =
      Read(absl::StrCat(R"({"env": ["A=0"], "envFiles": [)", File("env.txt", "A=1\nB=2\nA=3\n"), "]}"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->fragment.env, (std::vector<std::string>{"A=0", "A=1", "B=2", "A=3"}));
}

TEST_F(ImageRequestTest, LabelsGivenTwiceAreAnError) {
  const std::string labels = dir_.Write("labels.txt", "a=2\n");
  EXPECT_EQ(Error(absl::StrCat(R"({"labels": {"a": "1"}, "labelFiles": [")", labels, "\"]}")),
            labels + ": duplicate label key \"a\"");
}

TEST_F(ImageRequestTest, AnnotationKeysMustNotBeEmpty) {
  const std::string error = Error(R"({"annotations": {"": "v"}})");
  EXPECT_EQ(error, path_ + ": annotation with an empty key");
}

TEST_F(ImageRequestTest, LayersNeedBothFiles) {
  const std::string error = Error(R"({"layers": [{"descriptorFile": "d.json"}]})");
  EXPECT_EQ(error, path_ + ": layers[0]: descriptor_file and diff_id_file are required");
}

TEST_F(ImageRequestTest, BuildPrefixesWriterErrorsWithTheRequest) {
  path_ = dir_.Write("req.json", R"({"env": ["JUSTAKEY"]})");
  absl::StatusOr<ImageOutput> image = BuildImageFromRequest(path_, std::nullopt);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().message(),
            path_ + ": env entry \"JUSTAKEY\": expected KEY=VALUE with a non-empty KEY");
}

TEST_F(ImageRequestTest, BuildsAnImage) {
  path_ = dir_.Write("req.json", R"({"platform": "linux/arm64", "labels": {"a": "b"}})");
  absl::StatusOr<ImageOutput> image = BuildImageFromRequest(path_, std::nullopt);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->manifest_descriptor.platform->ToString(), "linux/arm64");
  EXPECT_TRUE(absl::StrContains(image->config, R"("Labels":{"a":"b"})")) << image->config;
}

}  // namespace
}  // namespace imagewriter
