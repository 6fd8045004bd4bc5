#include "src/digest/digest.h"

#include <string>

#include "gtest/gtest.h"
#include "src/digest/digest_sink.h"
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

// FIPS 180-2 appendix C.1 ("abc") and the empty string.
TEST(DigestSinkTest, Sha512KnownVectors) {
  EXPECT_EQ(DigestSink::Of("sha512", "abc").ToString(),
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(DigestSink::Of("sha512", "").ToString(),
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  // The result parses: it is a digest a descriptor could carry.
  EXPECT_TRUE(Digest::Parse(DigestSink::Of("sha512", "abc").ToString()).ok());
}

TEST(DigestSinkTest, Sha256MatchesSha256OfAndOtherNamesNeverMatch) {
  EXPECT_EQ(DigestSink::Of("sha256", "abc"), Digest::Sha256Of("abc"));
  // An algorithm no descriptor can name hashes as sha256, never equal to it.
  EXPECT_EQ(DigestSink::Of("md5", "abc").algorithm(), "sha256");
}

TEST(DigestSinkTest, StreamingMatchesOneShotForAnySplit) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 13));
  for (const char* algorithm : {"sha256", "sha512"}) {
    for (size_t chunk : {1u, 127u, 128u, 4096u, 100000u}) {
      DigestSink sink(algorithm);
      for (size_t i = 0; i < data.size(); i += chunk) {
        ASSERT_TRUE(sink.Append(absl::string_view(data).substr(i, chunk)).ok());
      }
      ASSERT_TRUE(sink.Finish().ok());
      EXPECT_EQ(sink.digest(), DigestSink::Of(algorithm, data)) << algorithm << " " << chunk;
      EXPECT_EQ(sink.digest().algorithm(), algorithm);
    }
  }
}

}  // namespace
}  // namespace imagewriter
