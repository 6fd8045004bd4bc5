#include "src/compress/internal/deflate_blocks.h"

#include <libdeflate.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace imagewriter {
namespace compress_internal {
namespace {

// Text-like bytes with repeats (dynamic blocks) and noise (stored blocks).
std::string Sample(size_t size, uint32_t seed, bool noisy) {
  std::mt19937 random(seed);
  std::string out;
  while (out.size() < size) {
    if (noisy && random() % 4 == 0) {
      for (int i = 0; i < 300; ++i) out.push_back(static_cast<char>(random()));
    } else {
      out.append("lib/x86_64-linux-gnu/libexample.so." + std::to_string(random() % 50) + "\n");
    }
  }
  out.resize(size);
  return out;
}

std::string Libdeflate(const std::string& in, int level) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(level);
  std::string out(libdeflate_deflate_compress_bound(c, in.size()), '\0');
  out.resize(libdeflate_deflate_compress(c, in.data(), in.size(), out.data(), out.size()));
  libdeflate_free_compressor(c);
  return out;
}

std::string Zlib(const std::string& in, int level, int strategy) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

// Inflates a raw deflate stream; checks it ends exactly at the input's end.
std::string Inflate(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, -15);
  std::string out;
  std::vector<char> buffer(1 << 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer.data());
    z.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the stream";
  inflateEnd(&z);
  return out;
}

TEST(DeflateBlocksTest, FindsTheEndOfEveryKindOfStream) {
  std::vector<std::string> streams;
  for (size_t size : {0, 1, 100, 70000, 1 << 20}) {
    for (bool noisy : {false, true}) {
      const std::string data = Sample(size, static_cast<uint32_t>(size), noisy);
      for (int level : {0, 1, 6, 12}) streams.push_back(Libdeflate(data, level));
      streams.push_back(Zlib(data, 9, Z_DEFAULT_STRATEGY));
      streams.push_back(Zlib(data, 1, Z_FIXED));     // Fixed-code blocks.
      streams.push_back(Zlib(data, 6, Z_HUFFMAN_ONLY));
    }
  }
  for (const std::string& s : streams) {
    absl::StatusOr<DeflateEnd> end = FindFinalBlock(s);
    ASSERT_TRUE(end.ok()) << end.status();
    EXPECT_EQ((end->end_bit + 7) / 8, s.size());
    EXPECT_LT(end->final_header_bit, end->end_bit);
    EXPECT_TRUE(s[end->final_header_bit / 8] & (1 << (end->final_header_bit % 8)));
  }
}

// Walking two streams together gives what walking each alone gives, for
// every pairing of block kinds and lengths (either may end first).
TEST(DeflateBlocksTest, WalkingTwoAtOnceMatchesOneAtATime) {
  std::vector<std::string> streams;
  for (size_t size : {0, 100, 70000, 300000}) {
    const std::string data = Sample(size, static_cast<uint32_t>(size) + 1, size % 3 == 0);
    streams.push_back(Libdeflate(data, 2));
    streams.push_back(Libdeflate(data, 0));  // Stored blocks only.
    streams.push_back(Zlib(data, 1, Z_FIXED));
  }
  for (const std::string& a : streams) {
    for (const std::string& b : streams) {
      auto both = FindFinalBlocks(a, b);
      absl::StatusOr<DeflateEnd> alone_a = FindFinalBlock(a), alone_b = FindFinalBlock(b);
      ASSERT_TRUE(both.first.ok() && both.second.ok() && alone_a.ok() && alone_b.ok());
      EXPECT_EQ(both.first->final_header_bit, alone_a->final_header_bit);
      EXPECT_EQ(both.first->end_bit, alone_a->end_bit);
      EXPECT_EQ(both.second->final_header_bit, alone_b->final_header_bit);
      EXPECT_EQ(both.second->end_bit, alone_b->end_bit);
    }
  }
  // A corrupt stream fails alone; its partner still walks to its end.
  const std::string good = streams[2];
  auto mixed = FindFinalBlocks(good.substr(0, good.size() / 2), good);
  EXPECT_FALSE(mixed.first.ok());
  ASSERT_TRUE(mixed.second.ok());
  EXPECT_EQ(mixed.second->end_bit, FindFinalBlock(good)->end_bit);
  std::string x = good, y = "junk";
  EXPECT_FALSE(UnfinishBoth(&x, &y).ok());
}

TEST(DeflateBlocksTest, SplicedPiecesInflateToTheConcatenation) {
  std::string expected, spliced;
  std::vector<std::string> pieces;
  const int levels[7] = {1, 2, 4, 6, 9, 12, 3};
  for (int i = 0; i < 7; ++i) {
    const std::string piece = Sample(i == 0 ? 0 : 50000 + i * 37, i, i % 2 == 1);
    expected += piece;
    pieces.push_back(Libdeflate(piece, levels[i]));
  }
  // Pieces 0..3 one at a time, 4 and 5 together, 6 left final.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Unfinish(&pieces[i]).ok());
  ASSERT_TRUE(UnfinishBoth(&pieces[4], &pieces[5]).ok());
  for (const std::string& p : pieces) spliced += p;
  EXPECT_EQ(Inflate(spliced), expected);
}

TEST(DeflateBlocksTest, RejectsMalformedStreamsCleanly) {
  const std::string good = Libdeflate(Sample(100000, 3, true), 6);
  EXPECT_FALSE(FindFinalBlock("").ok());
  EXPECT_FALSE(FindFinalBlock(std::string(1, '\x07')).ok());  // Reserved type.
  for (size_t cut : {size_t{1}, good.size() / 2, good.size() - 1}) {
    absl::StatusOr<DeflateEnd> end = FindFinalBlock(good.substr(0, cut));
    ASSERT_FALSE(end.ok()) << "cut at " << cut;
    EXPECT_NE(end.status().message().find("deflate stream"), std::string::npos);
  }
  // Random garbage never crashes or hangs.
  std::mt19937 random(11);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(random() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(random());
    (void)FindFinalBlock(junk);
  }
  std::string s = "x";
  EXPECT_FALSE(Unfinish(&s).ok());
}

}  // namespace
}  // namespace compress_internal
}  // namespace imagewriter
