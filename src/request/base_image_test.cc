#include "src/request/base_image.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/digest/digest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

const std::string kLayerDigest = "sha256:" + std::string(64, 'a');
const std::string kRequest = "req.json";

class BaseImageTest : public testing::Test {
 protected:
  // A manifest of `layers` layers for `config`, written next to it.
  std::string Manifest(const std::string& config, int layers, const std::string& extra = "") {
    std::string list;
    for (int i = 0; i < layers; ++i) {
      absl::StrAppend(&list, i ? "," : "",
                      R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")",
                      kLayerDigest, R"(","size":1})");
    }
    return dir_.Write("manifest.json",
                      absl::StrCat(R"({"schemaVersion":2,)", extra,
                                   R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json",)",
                                   R"("digest":")", Digest::Sha256Of(config).ToString(), R"(","size":)",
                                   config.size(), R"(},"layers":[)", list, "]}"));
  }

  absl::StatusOr<std::optional<BaseImage>> Read(const std::string& config, int layers,
                                                std::optional<Platform> platform = std::nullopt) {
    config_ = dir_.Write("config.json", config);
    return ReadBaseImage({config_, Manifest(config, layers), ""}, platform, kRequest);
  }

  std::string Error(const absl::StatusOr<std::optional<BaseImage>>& base) {
    return base.ok() ? "OK" : std::string(base.status().message());
  }

  TestDir dir_;
  std::string config_;
};

std::string DiffIds(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i ? "," : "", "\"", Digest::Sha256Of(std::to_string(i)).ToString(), "\"");
  return absl::StrCat(R"({"rootfs":{"type":"layers","diff_ids":[)", out, "]}}");
}

TEST_F(BaseImageTest, NoConfigNoBase) {
  absl::StatusOr<std::optional<BaseImage>> base = ReadBaseImage({}, std::nullopt, kRequest);
  ASSERT_TRUE(base.ok());
  EXPECT_FALSE(base->has_value());
  EXPECT_EQ(Error(ReadBaseImage({"", "m.json", ""}, std::nullopt, kRequest)),
            "req.json: base_manifest given without base_config");
}

TEST_F(BaseImageTest, CreatedMustBeATimeOrNull) {
  EXPECT_EQ(Error(Read(R"({"created":"2023-06-01T12:00:00.500Z"})", 0)), "OK");
  EXPECT_EQ(Error(Read(R"({"created":null})", 0)), "OK");
  EXPECT_TRUE(absl::StrContains(Error(Read(R"({"created":"June 2023"})", 0)),
                                "config.json.created: invalid timestamp \"June 2023\""))
      << Error(Read(R"({"created":"June 2023"})", 0));
  EXPECT_TRUE(absl::StrContains(Error(Read(R"({"created":1685620800})", 0)), "created"))
      << Error(Read(R"({"created":1685620800})", 0));
}

TEST_F(BaseImageTest, PairsLayersWithDiffIdsAndReadsTheRest) {
  const std::string config = absl::StrCat(
      R"({"os":"linux","architecture":"arm64","history":[{"created_by":"base"}],)",
      DiffIds(2).substr(1));
  config_ = dir_.Write("config.json", config);
  const std::string descriptor = dir_.Write(
      "descriptor.json", absl::StrCat(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json",)",
                                      R"("digest":")", kLayerDigest, R"(","size":3})"));
  absl::StatusOr<std::optional<BaseImage>> base =
      ReadBaseImage({config_, Manifest(config, 2), descriptor}, std::nullopt, kRequest);
  ASSERT_TRUE(base.ok()) << base.status();
  ASSERT_TRUE(base->has_value());
  const BaseImage& b = **base;
  ASSERT_EQ(b.layers.size(), 2u);
  EXPECT_EQ(b.layers[1].descriptor.digest.ToString(), kLayerDigest);
  EXPECT_EQ(b.layers[1].diff_id, Digest::Sha256Of("1"));
  ASSERT_EQ(b.history.size(), 1u);
  EXPECT_EQ(b.history[0].created_by, "base");
  ASSERT_TRUE(b.platform.has_value());
  EXPECT_EQ(b.platform->ToString(), "linux/arm64");
  ASSERT_TRUE(b.descriptor.has_value());
  EXPECT_EQ(b.descriptor->size, 3);
  EXPECT_TRUE(b.config.is_object());
}

TEST_F(BaseImageTest, DiffIdsMustMatchTheManifestsLayers) {
  EXPECT_EQ(Error(Read(DiffIds(1), 2)),
            "req.json: base config lists 1 rootfs.diff_ids but the base manifest has 2 layers; "
            "they must match one to one");
  // A config alone lists none.
  config_ = dir_.Write("config.json", DiffIds(1));
  EXPECT_EQ(Error(ReadBaseImage({config_, "", ""}, std::nullopt, kRequest)),
            "req.json: base config lists 1 rootfs.diff_ids but the base manifest has 0 layers; "
            "they must match one to one");
  EXPECT_TRUE(absl::StartsWith(Error(Read(R"({"rootfs":{"diff_ids":["sha256:nothex"]}})", 1)),
                               "req.json: base config.rootfs.diff_ids[0]: "));
}

TEST_F(BaseImageTest, ManifestMustDescribeTheConfig) {
  const std::string config = DiffIds(0);
  config_ = dir_.Write("config.json", config);
  const std::string manifest = Manifest("other bytes", 0);
  EXPECT_EQ(Error(ReadBaseImage({config_, manifest, ""}, std::nullopt, kRequest)),
            absl::StrCat(manifest, ".config.digest: ", Digest::Sha256Of("other bytes").ToString(),
                         " does not match the base config, whose digest is ",
                         Digest::Sha256Of(config).ToString()));
}

TEST_F(BaseImageTest, ManifestIsParsedAsTheLayoutReaderDoes) {
  const std::string config = DiffIds(0);
  config_ = dir_.Write("config.json", config);
  std::string manifest =
      Manifest(config, 0, R"("mediaType":"application/vnd.oci.image.index.v1+json",)");
  EXPECT_EQ(Error(ReadBaseImage({config_, manifest, ""}, std::nullopt, kRequest)),
            manifest + ".mediaType: \"application/vnd.oci.image.index.v1+json\" is not an image manifest");
  manifest = dir_.Write("manifest.json", R"({"config":{}})");
  EXPECT_EQ(Error(ReadBaseImage({config_, manifest, ""}, std::nullopt, kRequest)),
            manifest + ".schemaVersion: required, must be 2");
  manifest = dir_.Write("manifest.json", R"({"schemaVersion":2})");
  EXPECT_EQ(Error(ReadBaseImage({config_, manifest, ""}, std::nullopt, kRequest)),
            manifest + ".config: required");
}

TEST_F(BaseImageTest, ConfigMustBeAnObject) {
  const std::string error = Error(Read("[]", 0));
  EXPECT_EQ(error, config_ + ": expected an object, got an array");
}

TEST_F(BaseImageTest, RequestedPlatformMustBeTheConfigs) {
  const std::string config = R"({"os":"linux","architecture":"amd64","rootfs":{"diff_ids":[]}})";
  const std::string error = Error(Read(config, 0, *Platform::Parse("linux/arm64")));
  EXPECT_EQ(error,
            absl::StrCat("req.json: platform linux/arm64 is not the platform of the base config ",
                         config_, ", linux/amd64"));
  EXPECT_EQ(Error(Read(config, 0, *Platform::Parse("linux/amd64"))), "OK");
  // arm64 means arm64/v8.
  EXPECT_EQ(Error(Read(R"({"os":"linux","architecture":"arm64","variant":"v8"})", 0,
                       *Platform::Parse("linux/arm64"))),
            "OK");
  // A config that names no platform takes any.
  EXPECT_EQ(Error(Read("{}", 0, *Platform::Parse("linux/s390x"))), "OK");
}

TEST_F(BaseImageTest, ConfigPlatformMustBeValid) {
  const std::string error = Error(Read(R"({"os":"Linux","architecture":"amd64"})", 0));
  EXPECT_EQ(error,
            absl::StrCat("invalid platform of the base config ", config_,
                         ": os \"Linux\" must be lowercase [a-z0-9_.-]"));
  const std::string type_error = Error(Read(R"({"os":"linux","architecture":5})", 0));
  EXPECT_EQ(type_error, absl::StrCat(config_, ".architecture: expected a string, got a number"));
}

TEST_F(BaseImageTest, HistoryMustBeValid) {
  EXPECT_TRUE(absl::StartsWith(Error(Read(R"({"history":"x"})", 0)), "req.json: base config.history"))
      << Error(Read(R"({"history":"x"})", 0));
}

}  // namespace
}  // namespace imagewriter
