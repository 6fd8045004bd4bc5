#include "src/writer/image_writer.h"

#include <string>

#include "gtest/gtest.h"
#include "src/json/parser.h"

namespace imagewriter {
namespace {

ImageLayer Layer(const std::string& name) {
  ImageLayer l;
  l.descriptor.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  l.descriptor.digest = Digest::Sha256Of(name);
  l.descriptor.size = 10;
  l.diff_id = Digest::Sha256Of("diff-" + name);
  l.metadata.created_by = "add " + name;
  return l;
}

std::string Find(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos ? needle : "<missing> " + needle;
}

TEST(ImageWriterTest, CreatedPrecedence) {
  ImageSpec spec;
  spec.layers = {Layer("a")};
  absl::StatusOr<ImageOutput> out = BuildImage(spec);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Find(out->config, R"("created":"1970-01-01T00:00:00Z")"),
            R"("created":"1970-01-01T00:00:00Z")");

  spec.source_date_epoch = Timestamp::FromUnixSeconds(1000000000);
  out = BuildImage(spec);
  EXPECT_EQ(Find(out->config, R"("created":"2001-09-09T01:46:40Z")"),
            R"("created":"2001-09-09T01:46:40Z")");

  spec.created = *Timestamp::Parse("2024-01-01T00:00:00Z");
  out = BuildImage(spec);
  EXPECT_EQ(Find(out->config, R"("created":"2024-01-01T00:00:00Z","history")"),
            R"("created":"2024-01-01T00:00:00Z","history")");
  // New history is clamped to SOURCE_DATE_EPOCH even when created is later.
  EXPECT_EQ(Find(out->config, R"("history":[{"created":"2001-09-09T01:46:40Z","created_by":"add a"})"),
            R"("history":[{"created":"2001-09-09T01:46:40Z","created_by":"add a"})");
}

TEST(ImageWriterTest, EpochClampsNewHistoryButNotBase) {
  ImageSpec spec;
  BaseImage base;
  base.config = *json::Parse(R"({"rootfs":{"type":"layers","diff_ids":[]}})", "base");
  History base_history;
  base_history.created = *Timestamp::Parse("2030-01-01T00:00:00Z");
  base_history.created_by = "base";
  base.history = {base_history};
  base.layers = {Layer("base")};
  spec.base = base;
  History later;
  later.created = *Timestamp::Parse("2031-01-01T00:00:00Z");
  later.created_by = "explicit";
  later.empty_layer = true;
  spec.history = {later};
  spec.layers = {Layer("new")};
  spec.layers[0].metadata.created = *Timestamp::Parse("2032-01-01T00:00:00Z");
  spec.source_date_epoch = Timestamp::FromUnixSeconds(1700000000);
  absl::StatusOr<ImageOutput> out = BuildImage(spec);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Find(out->config,
                 R"("history":[{"created":"2030-01-01T00:00:00Z","created_by":"base"},)"
                 R"({"created":"2023-11-14T22:13:20Z","created_by":"explicit","empty_layer":true},)"
                 R"({"created":"2023-11-14T22:13:20Z","created_by":"add new"}])"),
            R"("history":[{"created":"2030-01-01T00:00:00Z","created_by":"base"},)"
            R"({"created":"2023-11-14T22:13:20Z","created_by":"explicit","empty_layer":true},)"
            R"({"created":"2023-11-14T22:13:20Z","created_by":"add new"}])");
}

// BuildKit's layer-annotation rules (layer_annotations.h): a base layer
// keeps only the keys BuildKit's content store keeps; OCI manifests drop
// BuildKit's internal keys; Docker manifests carry no layer annotations.
TEST(ImageWriterTest, LayerAnnotationsFollowBuildKit) {
  ImageSpec spec;
  BaseImage base;
  base.config = *json::Parse(R"({"rootfs":{"type":"layers","diff_ids":[]}})", "base");
  base.layers = {Layer("base")};
  base.layers[0].descriptor.annotations = {
      {"org.example.note", "x"},
      {"io.containers.estargz.uncompressed-size", "2048"},
      {"containerd.io/uncompressed", "sha256:00"}};
  spec.base = base;
  spec.layers = {Layer("new")};
  spec.layers[0].descriptor.annotations = {
      {"org.example.mine", "kept"},
      {"buildkit/createdat", "internal"},
      {"containerd.io/distribution.source.docker.io", "library/x"}};
  absl::StatusOr<ImageOutput> out = BuildImage(spec);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::string base_layer =
      R"("annotations": {)"
      "\n        "
      R"("io.containers.estargz.uncompressed-size": "2048")"
      "\n      }";
  EXPECT_EQ(Find(out->manifest, base_layer), base_layer);
  EXPECT_EQ(Find(out->manifest, R"("org.example.mine": "kept")"), R"("org.example.mine": "kept")");
  for (const char* gone : {"org.example.note", "containerd.io/uncompressed", "buildkit/createdat",
                           "containerd.io/distribution.source"}) {
    EXPECT_EQ(out->manifest.find(gone), std::string::npos) << gone;
  }
  spec.flavor = MediaFlavor::kDocker;
  spec.annotations = {{"org.opencontainers.image.title", "t"}};
  out = BuildImage(spec);
  ASSERT_TRUE(out.ok()) << out.status();
  // Manifest annotations only: BuildKit writes them on Docker manifests too.
  EXPECT_EQ(out->manifest.find("annotations"), out->manifest.rfind("annotations"));
  EXPECT_EQ(Find(out->manifest, R"("annotations": {)" "\n    " R"("org.opencontainers.image.title")"),
            R"("annotations": {)" "\n    " R"("org.opencontainers.image.title")");
}

TEST(ImageWriterTest, PlatformDefaultsFromBaseThenLinuxAmd64) {
  ImageSpec spec;
  absl::StatusOr<ImageOutput> out = BuildImage(spec);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->manifest_descriptor.platform->ToString(), "linux/amd64");
  spec.base = BaseImage{json::Value::Object(), {}, {}, *Platform::Parse("linux/arm/v7"), {}};
  out = BuildImage(spec);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->manifest_descriptor.platform->ToString(), "linux/arm/v7");
}

TEST(ImageWriterTest, ManifestDigestIsOfItsBytes) {
  ImageSpec spec;
  spec.layers = {Layer("a"), Layer("b")};
  absl::StatusOr<ImageOutput> out = BuildImage(spec);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->manifest_descriptor.digest, Digest::Sha256Of(out->manifest));
  EXPECT_EQ(out->config_descriptor.digest, Digest::Sha256Of(out->config));
  EXPECT_EQ(out->manifest_descriptor.size, static_cast<int64_t>(out->manifest.size()));
}

TEST(ImageWriterTest, EstargzLayerWithDockerMediaTypesIsRefused) {
  ImageSpec spec;
  ImageLayer layer = Layer("a");
  layer.descriptor.annotations["containerd.io/snapshot/stargz/toc.digest"] =
      Digest::Sha256Of("toc").ToString();
  layer.descriptor.annotations["io.containers.estargz.uncompressed-size"] = "3072";
  spec.layers = {layer};
  absl::StatusOr<ImageOutput> oci = BuildImage(spec);
  ASSERT_TRUE(oci.ok()) << oci.status();
  EXPECT_EQ(Find(oci->manifest, R"("containerd.io/snapshot/stargz/toc.digest")"),
            R"("containerd.io/snapshot/stargz/toc.digest")");
  spec.flavor = MediaFlavor::kDocker;
  absl::StatusOr<ImageOutput> docker = BuildImage(spec);
  ASSERT_FALSE(docker.ok());
  EXPECT_NE(docker.status().message().find("oci-mediatypes=false"), absl::string_view::npos)
      << docker.status();
}

}  // namespace
}  // namespace imagewriter
