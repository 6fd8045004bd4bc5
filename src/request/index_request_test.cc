#include "src/request/index_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

std::string ManifestDescriptor(const TestDir& dir, const std::string& name, const std::string& platform) {
  return dir.Write(name, absl::StrCat(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json",)",
                                      R"("digest":"sha256:)", std::string(64, name[0]), R"(","size":2)",
                                      platform, "}"));
}

TEST(IndexRequestTest, ReadsManifestsAndMergesAnnotations) {
  TestDir dir;
  const std::string request = dir.Write(
      "req.json", absl::StrCat(R"({"manifests": [")", ManifestDescriptor(dir, "a.json", ""),
                               R"("], "annotations": {"x": "1"}, "annotationFiles": [")",
                               dir.Write("ann.txt", "y={NOT_STAMPED}\n"), R"("], "mediaTypes": "docker"})"));
  absl::StatusOr<IndexSpec> spec = ReadIndexRequest(request);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->manifests.size(), 1u);
  EXPECT_EQ(spec->manifests[0].size, 2);
  EXPECT_EQ(spec->annotations, (std::map<std::string, std::string>{{"x", "1"}, {"y", "{NOT_STAMPED}"}}));
  EXPECT_EQ(spec->flavor, MediaFlavor::kDocker);
}

TEST(IndexRequestTest, AnnotationGivenTwiceIsAnError) {
  TestDir dir;
  const std::string file = dir.Write("ann.txt", "x=2\n");
  const std::string request =
      dir.Write("req.json", absl::StrCat(R"({"annotations": {"x": "1"}, "annotationFiles": [")", file, "\"]}"));
  absl::StatusOr<IndexSpec> spec = ReadIndexRequest(request);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(), file + ": duplicate annotation key \"x\"");
}

TEST(IndexRequestTest, BuildPrefixesWriterErrorsWithTheRequest) {
  TestDir dir;
  const std::string request =
      dir.Write("req.json", absl::StrCat(R"({"manifests": [")", ManifestDescriptor(dir, "a.json", ""), "\"]}"));
  absl::StatusOr<IndexOutput> index = BuildIndexFromRequest(request);
  ASSERT_FALSE(index.ok());
  EXPECT_TRUE(absl::StartsWith(index.status().message(), request + ": manifest 0")) << index.status();
}

TEST(IndexRequestTest, BuildsAnIndex) {
  TestDir dir;
  const std::string platform = R"(,"platform":{"architecture":"amd64","os":"linux"})";
  const std::string request =
      dir.Write("req.json", absl::StrCat(R"({"manifests": [")", ManifestDescriptor(dir, "a.json", platform), "\"]}"));
  absl::StatusOr<IndexOutput> index = BuildIndexFromRequest(request);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_TRUE(absl::StrContains(index->index, "\"os\": \"linux\"")) << index->index;
}

}  // namespace
}  // namespace imagewriter
