#include "src/request/attest_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

const std::string kManifest = R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
                              std::string(64, 'a') + R"(","size":2})";

TEST(AttestRequestTest, ReadsStatementsAndProvenance) {
  TestDir dir;
  const std::string tool = dir.Write("tool", "binary");
  const std::string request = dir.Write(
      "req.json",
      absl::StrCat(R"({"subject": ")", dir.Write("m.json", kManifest), R"(", "statements": [")",
                   dir.Write("s.json", R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"x"})"),
                   R"("], "provenance": {"target": "//a:b", "builderId": "urn:x",)",
                   R"( "dependencies": [{"name": "imagewriter", "file": ")", tool, R"("}]}})"));
  absl::StatusOr<AttestationOutput> out = BuildAttestationFromRequest(request);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->statements.size(), 2u);
  // sha256 of "binary".
  EXPECT_TRUE(absl::StrContains(out->statements[1],
                                R"({"name":"imagewriter","digest":{"sha256":"9a3a45d01531a20e89ac6ae10b0b0beb0492acd7216a368aa062d1a5fecaf9cd"}})"))
      << out->statements[1];
}

TEST(AttestRequestTest, ParameterNamedTargetIsRefused) {
  TestDir dir;
  const std::string request = dir.Write(
      "req.json", absl::StrCat(R"({"subject": ")", dir.Write("m.json", kManifest),
                               R"(", "provenance": {"target": "//a:b", "builderId": "urn:x",)",
                               R"( "parameters": {"target": "//evil:x"}}})"));
  absl::StatusOr<AttestationOutput> out = BuildAttestationFromRequest(request);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            absl::StrCat(request, ": provenance.parameters: \"target\" is reserved for provenance.target"));
}

TEST(AttestRequestTest, ErrorsNameTheStatementFile) {
  TestDir dir;
  const std::string statement = dir.Write("s.json", R"({"_type": 1})");
  const std::string request = dir.Write(
      "req.json", absl::StrCat(R"({"subject": ")", dir.Write("m.json", kManifest), R"(", "statements": [")",
                               statement, R"("]})"));
  absl::StatusOr<AttestationOutput> out = BuildAttestationFromRequest(request);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), absl::StrCat(request, ": ", statement, ": _type: expected a non-empty string"));
}

}  // namespace
}  // namespace imagewriter
