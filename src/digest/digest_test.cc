#include "src/digest/digest.h"

#include <string>

#include "gtest/gtest.h"
#include "src/digest/sha256_sink.h"

namespace imagewriter {
namespace {

constexpr char kEmpty[] =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(DigestTest, ParsesValidSha256) {
  absl::StatusOr<Digest> d = Digest::Parse(kEmpty);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->ToString(), kEmpty);
}

TEST(DigestTest, RejectsUppercaseHex) {
  std::string upper = kEmpty;
  upper[10] = 'B';
  absl::StatusOr<Digest> d = Digest::Parse(upper);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("lowercase hex"), std::string::npos);
}

TEST(DigestTest, RejectsWrongLengthUnknownAlgorithmAndGarbage) {
  EXPECT_FALSE(Digest::Parse("sha256:abc").ok());
  absl::StatusOr<Digest> md5 =
      Digest::Parse("md5:d41d8cd98f00b204e9800998ecf8427e");
  ASSERT_FALSE(md5.ok());
  EXPECT_NE(md5.status().message().find("unsupported algorithm \"md5\""),
            std::string::npos);
  EXPECT_FALSE(Digest::Parse("").ok());
  EXPECT_FALSE(Digest::Parse("sha256").ok());
  EXPECT_FALSE(Digest::Parse(":abc").ok());
  EXPECT_FALSE(Digest::Parse(std::string(kEmpty) + " ").ok());
}

TEST(DigestTest, Sha256OfKnownVectors) {
  EXPECT_EQ(Digest::Sha256Of("").ToString(), kEmpty);
  EXPECT_EQ(Digest::Sha256Of("abc").ToString(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256SinkTest, StreamingMatchesOneShotForAnySplit) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 7));
  for (size_t chunk : {1u, 63u, 64u, 4096u, 100000u}) {
    Sha256Sink sink;
    for (size_t i = 0; i < data.size(); i += chunk) {
      ASSERT_TRUE(sink.Append(absl::string_view(data).substr(i, chunk)).ok());
    }
    ASSERT_TRUE(sink.Finish().ok());
    EXPECT_EQ(sink.digest(), Digest::Sha256Of(data));
    EXPECT_EQ(sink.size(), data.size());
  }
}

}  // namespace
}  // namespace imagewriter
