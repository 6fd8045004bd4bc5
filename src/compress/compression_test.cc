#include "src/compress/compression.h"

#include <string>

#include <zlib.h>
#include <zstd.h>

#include "gtest/gtest.h"
#include "src/compress/internal/parallel_gzip.h"
#include "src/digest/digest.h"

namespace imagewriter {
namespace {

std::string SampleData(size_t n) {
  std::string data;
  uint32_t x = 12345;
  while (data.size() < n) {
    x = x * 1103515245 + 12345;
    // Mix compressible text with some noise.
    data += "usr/lib/x86_64-linux-gnu/libexample.so.";
    data.push_back(static_cast<char>(x >> 24));
  }
  data.resize(n);
  return data;
}

absl::StatusOr<std::string> Encode(Compression c, int level,
                                   const std::string& in, size_t chunk) {
  StringSink out;
  std::unique_ptr<ByteSink> enc = NewEncoder(c, level, &out);
  for (size_t i = 0; i < in.size(); i += chunk) {
    absl::Status s = enc->Append(absl::string_view(in).substr(i, chunk));
    if (!s.ok()) return s;
  }
  absl::Status s = enc->Finish();
  if (!s.ok()) return s;
  return out.data();
}

absl::StatusOr<std::string> Decode(Compression c, const std::string& in,
                                   size_t chunk) {
  StringSink out;
  std::unique_ptr<ByteSink> dec = NewDecoder(c, &out);
  for (size_t i = 0; i < in.size(); i += chunk) {
    absl::Status s = dec->Append(absl::string_view(in).substr(i, chunk));
    if (!s.ok()) return s;
  }
  absl::Status s = dec->Finish();
  if (!s.ok()) return s;
  return out.data();
}

TEST(DetectTest, MagicBytes) {
  EXPECT_EQ(DetectCompression("\x1f\x8b\x08\x00"), Compression::kGzip);
  EXPECT_EQ(DetectCompression("\x28\xb5\x2f\xfd"), Compression::kZstd);
  EXPECT_EQ(DetectCompression("etc/"), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x28\xb5"), Compression::kNone);
  // zstd skippable frames, magic 0x184D2A50..5F (RFC 8878 §3.1.2).
  EXPECT_EQ(DetectCompression("\x50\x2a\x4d\x18"), Compression::kZstd);
  EXPECT_EQ(DetectCompression("\x5f\x2a\x4d\x18\x00"), Compression::kZstd);
  EXPECT_EQ(DetectCompression("\x60\x2a\x4d\x18"), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x50\x2a\x4d"), Compression::kNone);
}

TEST(LevelTest, Ranges) {
  EXPECT_TRUE(CheckLevel(Compression::kGzip, 0).ok());
  EXPECT_TRUE(CheckLevel(Compression::kGzip, 1).ok());
  EXPECT_TRUE(CheckLevel(Compression::kGzip, 12).ok());
  EXPECT_FALSE(CheckLevel(Compression::kGzip, -1).ok());
  EXPECT_FALSE(CheckLevel(Compression::kGzip, 13).ok());
  EXPECT_FALSE(CheckLevel(Compression::kZstd, 0).ok());
  EXPECT_TRUE(CheckLevel(Compression::kZstd, 19).ok());
  EXPECT_FALSE(CheckLevel(Compression::kNone, 3).ok());
  EXPECT_FALSE(ParseCompression("bzip2").ok());
}

class RoundTripTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RoundTripTest, OutputIndependentOfChunkingAndRoundTrips) {
  const std::string data = SampleData(3 << 20);
  const Compression c = GetParam();
  absl::StatusOr<std::string> a = Encode(c, DefaultLevel(c), data, 1 << 20);
  absl::StatusOr<std::string> b = Encode(c, DefaultLevel(c), data, 4097);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  for (size_t chunk : {1000u, 1u << 20}) {
    absl::StatusOr<std::string> back = Decode(c, *a, chunk);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, data);
  }
}

TEST_P(RoundTripTest, SameBytesForAnyThreadCount) {
  const std::string data = SampleData(5 << 20);
  const Compression c = GetParam();
  std::string first;
  for (int threads : {1, 2, 3, 8}) {
    StringSink out;
    std::unique_ptr<ByteSink> enc = NewEncoder(c, DefaultLevel(c), &out, threads);
    for (size_t i = 0; i < data.size(); i += 300000) {
      ASSERT_TRUE(enc->Append(absl::string_view(data).substr(i, 300000)).ok());
    }
    ASSERT_TRUE(enc->Finish().ok());
    if (threads == 1) first = out.data();
    EXPECT_EQ(out.data(), first) << "threads=" << threads;
  }
}

TEST_P(RoundTripTest, EmptyInputRoundTrips) {
  const Compression c = GetParam();
  absl::StatusOr<std::string> enc = Encode(c, DefaultLevel(c), "", 1);
  ASSERT_TRUE(enc.ok());
  absl::StatusOr<std::string> back = Decode(c, *enc, 7);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "");
}

INSTANTIATE_TEST_SUITE_P(All, RoundTripTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd));

// Only the compressed encodings: plain bytes carry no end marker, so a cut
// is not detectable there (and a skipped case would be reported as such).
class TruncationTest : public ::testing::TestWithParam<Compression> {};

TEST_P(TruncationTest, TruncationIsAnError) {
  const Compression c = GetParam();
  absl::StatusOr<std::string> enc = Encode(c, DefaultLevel(c), SampleData(100000), 4096);
  ASSERT_TRUE(enc.ok());
  absl::StatusOr<std::string> back = Decode(c, enc->substr(0, enc->size() - 5), 4096);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("truncated"), std::string::npos)
      << back.status();
}

INSTANTIATE_TEST_SUITE_P(Compressed, TruncationTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd));

TEST(GzipTest, HeaderIsFixed) {
  absl::StatusOr<std::string> enc = Encode(Compression::kGzip, 6, "hello", 5);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  absl::StatusOr<std::string> best = Encode(Compression::kGzip, 9, "hello", 5);
  EXPECT_EQ((*best)[8], '\x02');
}

TEST(GzipTest, KnownDigestPinsTheEncoder) {
  // Pins the gzip bytes for a fixed input at the default level: libdeflate's
  // output and the block splicing. If a libdeflate upgrade changes them,
  // layer digests change, and this must be noticed.
  absl::StatusOr<std::string> enc =
      Encode(Compression::kGzip, DefaultLevel(Compression::kGzip), SampleData(3 << 20), 65536);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(Digest::Sha256Of(*enc).ToString(), "sha256:36ca46ad8cdb2226e406856b4e8fa504c49095832d31c273cafe19bc626f1e5d");
}

// Every level, several block counts (including a whole number of blocks,
// where the last block is full): one thread or many give the same bytes,
// and zlib decodes them.
TEST(GzipTest, EveryLevelIsThreadIndependentAndDecodes) {
  const size_t block = ParallelGzipEncoder::kBlockSize;
  for (size_t size : {size_t{0}, block - 1, block, block + 1, 2 * block, 2 * block + 12345}) {
    const std::string data = SampleData(size);
    for (int level = 1; level <= 12; level += (size == 2 * block + 12345 ? 1 : 5)) {
      std::string first;
      for (int threads : {1, 2, 8}) {
        StringSink out;
        std::unique_ptr<ByteSink> enc = NewEncoder(Compression::kGzip, level, &out, threads);
        ASSERT_TRUE(enc->Append(data).ok());
        ASSERT_TRUE(enc->Finish().ok());
        if (threads == 1) first = out.data();
        ASSERT_EQ(out.data(), first) << "size " << size << " level " << level << " threads " << threads;
      }
      absl::StatusOr<std::string> back = Decode(Compression::kGzip, first, 65536);
      ASSERT_TRUE(back.ok()) << back.status();
      ASSERT_EQ(*back, data) << "size " << size << " level " << level;
    }
  }
}

TEST(GzipTest, BadCrcIsAnError) {
  absl::StatusOr<std::string> enc = Encode(Compression::kGzip, 6, "hello world", 11);
  std::string bad = *enc;
  bad[bad.size() - 8] ^= 1;  // First CRC byte.
  absl::StatusOr<std::string> back = Decode(Compression::kGzip, bad, 100);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("incorrect data check"), std::string::npos)
      << back.status();
  bad = *enc;
  bad[bad.size() - 1] ^= 1;  // Length byte.
  back = Decode(Compression::kGzip, bad, 100);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("incorrect length check"), std::string::npos)
      << back.status();
}

TEST(GzipTest, OneMemberWhateverTheSize) {
  // Six 1 MiB blocks and a part, compressed on four threads and spliced,
  // are still one gzip member.
  const size_t size = (6 << 20) + 12345;
  StringSink sink;
  std::unique_ptr<ByteSink> encoder = NewEncoder(Compression::kGzip, 6, &sink, 4);
  const std::string data = SampleData(size);
  for (size_t i = 0; i < size; i += 1 << 16) {
    ASSERT_TRUE(encoder->Append(absl::string_view(data).substr(i, 1 << 16)).ok());
  }
  ASSERT_TRUE(encoder->Finish().ok());
  std::string enc = sink.data();
  // zlib's single-member decoder (no member restart) reads all of it.
  z_stream z{};
  inflateInit2(&z, 16 + 15);
  std::string buffer(size + 1, '\0');
  z.next_in = reinterpret_cast<Bytef*>(enc.data());
  z.avail_in = static_cast<uInt>(enc.size());
  z.next_out = reinterpret_cast<Bytef*>(buffer.data());
  z.avail_out = static_cast<uInt>(buffer.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.total_out, size);
  EXPECT_EQ(z.avail_in, 0u);
  EXPECT_EQ(buffer.substr(0, size), data);
  inflateEnd(&z);
}

TEST(GzipTest, ConcatenatedMembersDecode) {
  std::string two = *Encode(Compression::kGzip, 6, "abc", 3) +
                    *Encode(Compression::kGzip, 1, "def", 3);
  for (size_t chunk : {1u, 5u, 100u}) {
    absl::StatusOr<std::string> back = Decode(Compression::kGzip, two, chunk);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, "abcdef");
  }
}

TEST(GzipTest, GarbageAfterMemberIsAnError) {
  std::string data = *Encode(Compression::kGzip, 6, "abc", 3) + "junk";
  EXPECT_FALSE(Decode(Compression::kGzip, data, 100).ok());
}

// Level 0 is Go's gzip.NoCompression layout (stored_gzip.h), checked here
// by construction and against Go itself in tests/gzip_oracle.
TEST(StoredGzipTest, EmptyInputIsGosTwentyThreeBytes) {
  absl::StatusOr<std::string> enc = Encode(Compression::kGzip, 0, "", 1);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*enc, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
                              "\x01\x00\x00\xff\xff"
                              "\x00\x00\x00\x00\x00\x00\x00\x00", 23));
}

TEST(StoredGzipTest, SmallInputIsOneStoredBlockThenAnEmptyFinalOne) {
  absl::StatusOr<std::string> enc = Encode(Compression::kGzip, 0, "hello", 2);
  ASSERT_TRUE(enc.ok());
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>("hello"), 5));
  std::string trailer;
  for (uint32_t v : {crc, 5u}) {
    for (int i = 0; i < 4; ++i) trailer.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  EXPECT_EQ(*enc, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
                              "\x00\x05\x00\xfa\xffhello\x01\x00\x00\xff\xff", 25) + trailer);
}

TEST(StoredGzipTest, FinishFinishesTheSinkBelow) {
  class CountingSink : public ByteSink {
   public:
    absl::Status Append(absl::string_view) override { return absl::OkStatus(); }
    absl::Status Finish() override {
      ++finished;
      return absl::OkStatus();
    }
    int finished = 0;
  };
  CountingSink sink;
  std::unique_ptr<ByteSink> enc = NewEncoder(Compression::kGzip, 0, &sink);
  ASSERT_TRUE(enc->Append("abc").ok());
  ASSERT_TRUE(enc->Finish().ok());
  EXPECT_EQ(sink.finished, 1);
}

// Blocks of exactly 65535 bytes whatever the write sizes and thread count:
// size = N + 10 + 8 + 5 * ceil(N / 65535) + 5, and zlib reads it back.
TEST(StoredGzipTest, BlocksOf65535WhateverTheWritesAndThreads) {
  const size_t block = 65535;
  for (size_t size : {size_t{1}, block - 1, block, block + 1, 2 * block, 3 * block + 4465}) {
    const std::string data = SampleData(size);
    absl::StatusOr<std::string> first = Encode(Compression::kGzip, 0, data, 100);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->size(), size + 10 + 8 + 5 * ((size + block - 1) / block) + 5) << size;
    for (size_t chunk : {size_t{1}, size_t{4096}, size_t{70000}, size}) {
      if (chunk == 1 && size > block + 1) continue;  // Slow, and nothing new.
      absl::StatusOr<std::string> again = Encode(Compression::kGzip, 0, data, chunk);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(*again, *first) << "size " << size << " chunk " << chunk;
    }
    for (int threads : {2, 8}) {
      StringSink out;
      std::unique_ptr<ByteSink> enc = NewEncoder(Compression::kGzip, 0, &out, threads);
      ASSERT_TRUE(enc->Append(data).ok());
      ASSERT_TRUE(enc->Finish().ok());
      EXPECT_EQ(out.data(), *first) << "size " << size << " threads " << threads;
    }
    // Every data block is non-final; the last 5 bytes before the trailer
    // are the empty final block.
    EXPECT_EQ(first->substr(10, 1), std::string(1, '\0'));
    EXPECT_EQ(first->substr(first->size() - 13, 5), std::string("\x01\x00\x00\xff\xff", 5));
    absl::StatusOr<std::string> back = Decode(Compression::kGzip, *first, 65536);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, data);
  }
}

TEST(ZstdTest, KnownDigestPinsTheEncoder) {
  // Pins the zstd bytes (one frame per 4 MiB block, each by libzstd's
  // single-threaded mode; see zstd.h) for a fixed input of three blocks at
  // the default level, for any thread count.
  const std::string input = SampleData((9 << 20) + 12345);
  for (int threads : {1, 2, 4, 8}) {
    StringSink out;
    std::unique_ptr<ByteSink> enc = NewEncoder(Compression::kZstd, 3, &out, threads);
    for (size_t at = 0; at < input.size(); at += 100000) {
      ASSERT_TRUE(enc->Append(absl::string_view(input).substr(at, 100000)).ok());
    }
    ASSERT_TRUE(enc->Finish().ok());
    EXPECT_EQ(Digest::Sha256Of(out.data()).ToString(), "sha256:f6fa055ff53aa7bcd9c46a9aedc2a386b3ddcadb8f18434e306533c2a250eb70") << threads << " threads";
    // Three complete frames, one after another, that decode to the input.
    int frames = 0;
    for (size_t at = 0; at < out.data().size(); ++frames) {
      size_t size = ZSTD_findFrameCompressedSize(out.data().data() + at, out.data().size() - at);
      ASSERT_FALSE(ZSTD_isError(size));
      at += size;
    }
    EXPECT_EQ(frames, 3);
    absl::StatusOr<std::string> back = Decode(Compression::kZstd, out.data(), 65536);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(*back == input);
  }
}

TEST(ZstdTest, EmptyInputIsOneEmptyFrame) {
  std::string enc = *Encode(Compression::kZstd, 3, "", 1);
  EXPECT_EQ(ZSTD_findFrameCompressedSize(enc.data(), enc.size()), enc.size());
  EXPECT_EQ(*Decode(Compression::kZstd, enc, 100), "");
}

TEST(ZstdTest, CorruptFrameIsAnError) {
  std::string enc = *Encode(Compression::kZstd, 3, SampleData(50000), 50000);
  enc[enc.size() / 2] ^= 0x55;
  enc[enc.size() / 2 + 1] ^= 0x55;
  EXPECT_FALSE(Decode(Compression::kZstd, enc, 1000).ok());
}

// A zstd frame of RLE blocks, each 4 bytes for 128 KiB of `byte`: the
// format's highest ratio. window_log sets the frame's window descriptor.
std::string ZstdRleFrame(size_t blocks, char byte, int window_log = 17) {
  std::string frame("\x28\xb5\x2f\xfd", 4);
  frame.push_back('\0');  // No checksum or content size; a window descriptor.
  frame.push_back(static_cast<char>((window_log - 10) << 3));
  for (size_t i = 0; i < blocks; ++i) {
    const uint32_t header = (128u << 10) << 3 | 1u << 1 | (i + 1 == blocks ? 1u : 0u);
    for (int shift : {0, 8, 16}) frame.push_back(static_cast<char>(header >> shift));
    frame.push_back(byte);
  }
  return frame;
}

// Refuses bytes past a limit, as the layer writer's --max-size does.
class LimitSink : public ByteSink {
 public:
  explicit LimitSink(uint64_t limit) : limit_(limit) {}
  absl::Status Append(absl::string_view data) override {
    total_ += data.size();
    return total_ > limit_ ? absl::ResourceExhaustedError("over the limit") : absl::OkStatus();
  }
  uint64_t total() const { return total_; }

 private:
  uint64_t limit_, total_ = 0;
};

TEST(ZstdTest, RleBombStopsAtTheConsumersLimit) {
  // 4 MiB of input would decode to 128 GiB; the first refusal ends it.
  const std::string bomb = ZstdRleFrame(1 << 20, '\0');
  LimitSink limit(64 << 20);
  std::unique_ptr<ByteSink> decoder = NewDecoder(Compression::kZstd, &limit);
  absl::Status status = decoder->Append(bomb);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_LE(limit.total(), (64u << 20) + ZSTD_DStreamOutSize());
  // A small one decodes in full.
  absl::StatusOr<std::string> small = Decode(Compression::kZstd, ZstdRleFrame(3, 'a'), 5);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(*small, std::string(3 << 17, 'a'));
}

TEST(ZstdTest, WindowOverTheLimitIsRefused) {
  absl::StatusOr<std::string> back = Decode(Compression::kZstd, ZstdRleFrame(1, 'a', 28), 100);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("needs a window over 128 MiB"), std::string::npos)
      << back.status();
  EXPECT_TRUE(Decode(Compression::kZstd, ZstdRleFrame(1, 'a', 27), 100).ok());
}

TEST(ZstdTest, LeadingSkippableFrameIsSkipped) {
  const std::string data = SampleData(200000);
  std::string skippable("\x53\x2a\x4d\x18\x05\x00\x00\x00hello", 13);
  std::string stream = skippable + *Encode(Compression::kZstd, 3, data, 65536);
  ASSERT_EQ(DetectCompression(stream), Compression::kZstd);
  for (size_t chunk : {1u, 7u, 100000u}) {
    absl::StatusOr<std::string> back = Decode(Compression::kZstd, stream, chunk);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, data);
  }
}

TEST(DecodeTest, CompressedTwiceIsNamed) {
  const std::string gzip = *Encode(Compression::kGzip, 6, SampleData(5000), 5000);
  const std::string zstd = *Encode(Compression::kZstd, 3, SampleData(5000), 5000);
  for (size_t chunk : {1u, 4096u}) {
    absl::StatusOr<std::string> back =
        Decode(Compression::kGzip, *Encode(Compression::kGzip, 6, gzip, gzip.size()), chunk);
    ASSERT_FALSE(back.ok());
    EXPECT_NE(back.status().message().find("the gzip stream contains gzip data"), std::string::npos)
        << back.status();
    back = Decode(Compression::kZstd, *Encode(Compression::kZstd, 3, gzip, gzip.size()), chunk);
    EXPECT_NE(back.status().message().find("the zstd stream contains gzip data"), std::string::npos)
        << back.status();
    back = Decode(Compression::kGzip, *Encode(Compression::kGzip, 6, zstd, zstd.size()), chunk);
    EXPECT_NE(back.status().message().find("the gzip stream contains zstd data"), std::string::npos)
        << back.status();
  }
  // Shorter than a magic, or one byte of one: passed on whole.
  for (std::string tiny : {"", "a", "\x1f", "abcd"}) {
    absl::StatusOr<std::string> back =
        Decode(Compression::kGzip, *Encode(Compression::kGzip, 6, tiny, 1), 1);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, tiny);
  }
}

TEST(DecodeTest, EmptyCompressedStreamIsAnError) {
  EXPECT_FALSE(Decode(Compression::kGzip, "", 1).ok());
  EXPECT_FALSE(Decode(Compression::kZstd, "", 1).ok());
}

}  // namespace
}  // namespace imagewriter
