#include "src/writer/attestation_writer.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/writer/index_writer.h"
#include "src/writer/provenance.h"

namespace imagewriter {
namespace {

const char kHex[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

Descriptor Manifest() {
  Descriptor d;
  d.media_type = "application/vnd.oci.image.manifest.v1+json";
  d.digest = *Digest::Parse(std::string("sha256:") + kHex);
  d.size = 100;
  d.platform = Platform{};
  d.platform->os = "linux";
  d.platform->architecture = "amd64";
  return d;
}

absl::StatusOr<AttestationOutput> Build(const std::string& statement) {
  return BuildAttestation({Manifest(), {{"s.json", statement}}});
}

TEST(AttestationWriterTest, FillsSubjectAndWritesBuildKitsForm) {
  absl::StatusOr<AttestationOutput> out = Build(
      R"({"predicate": {"b": 1,  "a": [ ]}, "predicateType": "https://spdx.dev/Document",
          "_type": "https://in-toto.io/Statement/v1"})");
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_EQ(out->statements[0], std::string(R"({"_type":"https://in-toto.io/Statement/v1",)") +
                                    R"("predicateType":"https://spdx.dev/Document",)" +
                                    R"("subject":[{"name":"_","digest":{"sha256":")" + kHex + R"("}}],)" +
                                    R"("predicate":{"b":1,"a":[]}})");
  EXPECT_TRUE(absl::StrContains(out->manifest, R"("artifactType": "application/vnd.docker.attestation.manifest.v1+json")"));
  EXPECT_TRUE(absl::StrContains(out->manifest, R"("data": "e30=")"));
  EXPECT_TRUE(absl::StrContains(out->manifest, R"("in-toto.io/predicate-type": "https://spdx.dev/Document")"));
  const Descriptor& d = out->index_descriptor;
  EXPECT_EQ(d.platform->ToString(), "unknown/unknown");
  EXPECT_EQ(d.annotations.at("vnd.docker.reference.digest"), Manifest().digest.ToString());
  EXPECT_TRUE(IsAttestationEntry(d));
  EXPECT_EQ(out->referrers.tag, std::string("sha256-") + kHex);
  EXPECT_TRUE(absl::StrContains(out->referrers.index, d.digest.ToString()));
}

TEST(AttestationWriterTest, NormalisedStatementsPassAgainUnchanged) {
  // oci_image_index re-attests an image's statement blobs and relies on it.
  const std::string given =
      R"({"subject": [{"digest": {"sha512": "x", "sha256": ")" + std::string(kHex) +
      R"("}}], "predicate": {"n": 1e3, "s": "<\u00e9>"}, "predicateType": "p",
          "_type": "https://in-toto.io/Statement/v0.1"})";
  absl::StatusOr<std::string> blob = NormalizeStatement({"s.json", given}, Manifest());
  ASSERT_TRUE(blob.ok()) << blob.status();
  absl::StatusOr<std::string> again = NormalizeStatement({"blob", *blob}, Manifest());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *blob);
}

TEST(AttestationWriterTest, RefusesMalformedStatements) {
  const std::string other(64, 'b');
  for (const auto& [statement, message] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "s.json: an in-toto statement is a JSON object"},
           {R"({"predicateType": "x"})", "s.json: _type: required"},
           {R"({"_type": "https://in-toto.io/Statement/v9", "predicateType": "x"})",
            "s.json: _type: \"https://in-toto.io/Statement/v9\" is not https://in-toto.io/Statement/v1 (or v0.1)"},
           {R"({"_type": "https://in-toto.io/Statement/v1"})", "s.json: predicateType: required"},
           {R"({"_type": "https://in-toto.io/Statement/v1", "predicateType": "x", "extra": 1})",
            "s.json: extra: not a member of an in-toto statement (_type, predicateType, subject, predicate)"},
           {R"({"_type": "https://in-toto.io/Statement/v1", "predicateType": "x", "subject": [{"digest": {"sha256": ")" +
                other + "\"}}]}",
            "s.json: subject[0].digest.sha256: \"" + other + "\" is not the image manifest sha256:" + kHex},
       }) {
    absl::StatusOr<AttestationOutput> out = Build(statement);
    ASSERT_FALSE(out.ok()) << statement;
    EXPECT_EQ(out.status().message(), message);
  }
}

TEST(AttestationWriterTest, IndexListsAttestationsAfterManifests) {
  absl::StatusOr<AttestationOutput> out = Build(
      R"({"_type": "https://in-toto.io/Statement/v1", "predicateType": "x"})");
  ASSERT_TRUE(out.ok()) << out.status();
  IndexSpec spec;
  spec.manifests = {Manifest()};
  spec.attestations = {out->index_descriptor};
  absl::StatusOr<IndexOutput> index = BuildIndex(spec);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_LT(index->index.find(kHex), index->index.find(out->index_descriptor.digest.encoded()));
  spec.manifests[0].digest = *Digest::Parse("sha256:" + std::string(64, 'c'));
  index = BuildIndex(spec);
  ASSERT_FALSE(index.ok());
  EXPECT_TRUE(absl::StrContains(index.status().message(), "must name an image manifest of the index"));
}

TEST(ProvenanceTest, IsDeterministicSlsaV1) {
  ProvenanceSpec spec{"//pkg:image", "urn:example:builder", {{"platform", "linux/amd64"}},
                      {{"layer 0", *Digest::Parse(std::string("sha256:") + kHex), "m"}}};
  const std::string statement = BuildProvenance(spec);
  EXPECT_EQ(statement, BuildProvenance(spec));
  EXPECT_EQ(statement,
            std::string(R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1",)") +
                R"("subject":[],"predicate":{"buildDefinition":{"buildType":"urn:imagewriter:buildtype:bazel-oci-image:v1",)" +
                R"("externalParameters":{"platform":"linux/amd64","target":"//pkg:image"},)" +
                R"("resolvedDependencies":[{"name":"layer 0","digest":{"sha256":")" + kHex +
                R"("},"mediaType":"m"}]},"runDetails":{"builder":{"id":"urn:example:builder"}}}})");
  EXPECT_TRUE(Build(statement).ok());
}

}  // namespace
}  // namespace imagewriter
