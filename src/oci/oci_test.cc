#include <string>

#include "gtest/gtest.h"
#include "src/json/parser.h"
#include "src/json/writer.h"
#include "src/oci/descriptor.h"
#include "src/oci/history.h"
#include "src/oci/media_types.h"
#include "src/oci/platform.h"
#include "src/oci/timestamp.h"

namespace imagewriter {
namespace {

constexpr char kDigest[] =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

json::Value MustParse(const std::string& text) {
  absl::StatusOr<json::Value> v = json::Parse(text, "t.json");
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

TEST(TimestampTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(Timestamp::Parse("2024-01-02T03:04:05Z")->Format(), "2024-01-02T03:04:05Z");
  EXPECT_EQ(Timestamp::Parse("2024-01-02T03:04:05.120000000Z")->Format(),
            "2024-01-02T03:04:05.12Z");
  EXPECT_EQ(Timestamp::Parse("2024-01-02T03:04:05.000Z")->Format(), "2024-01-02T03:04:05Z");
  EXPECT_EQ(Timestamp::Parse("2024-01-02T03:04:05+05:30")->Format(),
            "2024-01-02T03:04:05+05:30");
  EXPECT_EQ(Timestamp::Parse("2024-01-02T03:04:05+05:30")->unix_seconds(),
            Timestamp::Parse("2024-01-01T21:34:05Z")->unix_seconds());
  EXPECT_EQ(Timestamp::FromUnixSeconds(0).Format(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Timestamp::FromSourceDateEpoch("1700000000")->Format(), "2023-11-14T22:13:20Z");
}

TEST(TimestampTest, RejectsInvalid) {
  EXPECT_FALSE(Timestamp::Parse("2024-01-02").ok());
  EXPECT_FALSE(Timestamp::Parse("2024-02-30T00:00:00Z").ok());
  EXPECT_FALSE(Timestamp::Parse("2024-01-02T25:00:00Z").ok());
  EXPECT_FALSE(Timestamp::FromSourceDateEpoch("-1").ok());
  EXPECT_FALSE(Timestamp::FromSourceDateEpoch("12a").ok());
  EXPECT_FALSE(Timestamp::FromSourceDateEpoch("").ok());
}

TEST(PlatformTest, ParseAndJsonOrder) {
  absl::StatusOr<Platform> p = Platform::Parse("linux/arm64/v8");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(json::Compact(p->ToJson()),
            R"({"architecture":"arm64","os":"linux","variant":"v8"})");
  EXPECT_FALSE(Platform::Parse("linux").ok());
  EXPECT_FALSE(Platform::Parse("Linux/amd64").ok());
  EXPECT_FALSE(Platform::Parse("linux/amd64/v1/x").ok());
  EXPECT_FALSE(Platform::Parse("linux//v1").ok());
}

TEST(DescriptorTest, GoFieldOrderAndSortedAnnotations) {
  Descriptor d;
  d.media_type = kOciLayerGzip;
  d.digest = *Digest::Parse(kDigest);
  d.size = 42;
  d.annotations = {{"z", "1"}, {"a", "<2>"}};
  d.platform = *Platform::Parse("linux/amd64");
  EXPECT_EQ(json::Compact(d.ToJson()),
            std::string(R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)") +
                R"("digest":")" + kDigest + R"(","size":42,)" +
                R"("annotations":{"a":"\u003c2\u003e","z":"1"},)" +
                R"("platform":{"architecture":"amd64","os":"linux"}})");
}

TEST(DescriptorTest, FromJsonNamesTheBadField) {
  auto error = [](const std::string& text) {
    absl::StatusOr<Descriptor> d = Descriptor::FromJson(MustParse(text), "layer.json");
    EXPECT_FALSE(d.ok());
    return std::string(d.status().message());
  };
  std::string ok = std::string(R"({"mediaType":"x","digest":")") + kDigest + R"(","size":1})";
  EXPECT_TRUE(Descriptor::FromJson(MustParse(ok), "d").ok());
  EXPECT_EQ(error(R"({"mediaType":"x","digest":"sha256:AB","size":1})").rfind("layer.json.digest:", 0), 0u);
  EXPECT_NE(error(std::string(R"({"mediaType":"x","digest":")") + kDigest + R"(","size":-1})")
                .find("layer.json.size: -1 is negative"),
            std::string::npos);
  EXPECT_NE(error(std::string(R"({"mediaType":"x","digest":")") + kDigest +
                  R"(","size":99999999999999999999})")
                .find("not an integer in the int64 range"),
            std::string::npos);
  EXPECT_NE(error(std::string(R"({"mediaType":"x","digest":")") + kDigest + R"(","size":"1"})")
                .find("layer.json.size: expected an integer, got a string"),
            std::string::npos);
  EXPECT_NE(error(R"({"digest":"x","size":1})").find("mediaType: required"), std::string::npos);
}

TEST(HistoryTest, RoundTripDropsUnknownAndKeepsOffset) {
  json::Value v = MustParse(
      R"({"history":[{"created":"2020-01-01T00:00:00.500000000+01:00","created_by":"sh","x":1,"empty_layer":true}]})");
  absl::StatusOr<std::vector<History>> h = HistoryFromConfig(v, "base");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(json::Compact((*h)[0].ToJson()),
            R"({"created":"2020-01-01T00:00:00.5+01:00","created_by":"sh","empty_layer":true})");
  EXPECT_FALSE(HistoryFromConfig(MustParse(R"({"history":{}})"), "b").ok());
  absl::StatusOr<std::vector<History>> bad =
      HistoryFromConfig(MustParse(R"({"history":[{"created":"yesterday"}]})"), "b");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.history[0].created"), std::string::npos);
}

TEST(MediaTypesTest, DockerHasNoZstd) {
  EXPECT_EQ(*LayerMediaType(MediaFlavor::kDocker, Compression::kGzip), kDockerLayerGzip);
  EXPECT_FALSE(LayerMediaType(MediaFlavor::kDocker, Compression::kZstd).ok());
  EXPECT_EQ(*LayerCompression(kDockerLayerGzip), Compression::kGzip);
  EXPECT_FALSE(LayerCompression("text/plain").ok());
}

TEST(MediaTypesTest, TarLayerTypes) {
  for (const char* t : {kOciLayer, kOciLayerGzip, kOciLayerZstd, kDockerLayer, kDockerLayerGzip,
                        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"}) {
    EXPECT_TRUE(IsTarLayerMediaType(t)) << t;
  }
  for (const char* t : {kInTotoLayer, kOciEmpty, kOciConfig, "application/vnd.oci.image.layer.v1.json",
                        "application/x-tar", ""}) {
    EXPECT_FALSE(IsTarLayerMediaType(t)) << t;
  }
}

}  // namespace
}  // namespace imagewriter
