#include "src/compress/internal/deflate_blocks.h"

#include <cstring>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace compress_internal {
namespace {

constexpr int kMaxCodeBits = 15;
constexpr int kFastBits = 11;  // Codes up to this long decode by one lookup.

// LSB-first bit reader over a byte string. Past the end it reads zeros and
// counts them, so callers check overrun() rather than every read.
class BitReader {
 public:
  explicit BitReader(absl::string_view s)
      : begin_(reinterpret_cast<const uint8_t*>(s.data())), p_(begin_), end_(begin_ + s.size()) {}

  // After Refill at least 56 bits are buffered.
  void Refill() {
    if (end_ - p_ >= 8) {
      uint64_t word;
      std::memcpy(&word, p_, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      word = __builtin_bswap64(word);
#endif
      bits_ |= word << count_;
      p_ += (63 - count_) >> 3;
      count_ |= 56;
      return;
    }
    while (count_ <= 56) {
      if (p_ < end_) {
        bits_ |= static_cast<uint64_t>(*p_++) << count_;
      } else {
        overrun_ += 8;
      }
      count_ += 8;
    }
  }
  uint32_t Peek(int n) const { return static_cast<uint32_t>(bits_ & ((uint64_t{1} << n) - 1)); }
  void Consume(int n) {
    bits_ >>= n;
    count_ -= n;
  }
  int count() const { return count_; }
  // True once bits past the end have certainly been consumed (cheap; the
  // exact check is overrun()).
  bool exhausted() const { return overrun_ > 64; }
  uint32_t Take(int n) {
    if (count_ < n) Refill();
    uint32_t v = Peek(n);
    Consume(n);
    return v;
  }
  uint64_t position() const {
    return static_cast<uint64_t>(p_ - begin_) * 8 + overrun_ - count_;
  }
  bool overrun() const { return position() > static_cast<uint64_t>(end_ - begin_) * 8; }
  // Skips to the next byte boundary, then `bytes` more bytes.
  bool SkipAlignedBytes(uint64_t bytes) {
    const uint64_t target = (position() + 7) / 8 + bytes;
    if (target > static_cast<uint64_t>(end_ - begin_)) return false;
    p_ = begin_ + target;
    bits_ = 0;
    count_ = 0;
    overrun_ = 0;
    return true;
  }

 private:
  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t bits_ = 0;
  int count_ = 0;
  uint64_t overrun_ = 0;  // Zero bits supplied past the end.
};

// A canonical Huffman code: one table lookup for codes of up to kFastBits,
// a bit-by-bit canonical decode for longer ones. A table entry also carries
// the symbol's extra bits, so skipping a symbol is one lookup and one shift.
class HuffmanCode {
 public:
  struct Entry {
    uint16_t symbol;
    uint8_t bits;  // Code length plus extra bits; 0: not in the table.
  };

  // False if the lengths over-subscribe the code space. Incomplete codes
  // are allowed (RFC 1951 permits a single distance code). `extra_bits`
  // gives each symbol's extra bits.
  bool Build(const uint8_t* lengths, int n, int (*extra_bits)(int symbol)) {
    std::memset(count_, 0, sizeof(count_));
    std::memset(fast_, 0, sizeof(fast_));
    extra_bits_ = extra_bits;
    for (int i = 0; i < n; ++i) count_[lengths[i]]++;
    count_[0] = 0;
    int left = 1;
    for (int len = 1; len <= kMaxCodeBits; ++len) {
      left = (left << 1) - count_[len];
      if (left < 0) return false;
    }
    uint16_t offset[kMaxCodeBits + 2] = {0};
    for (int len = 1; len <= kMaxCodeBits; ++len) offset[len + 1] = offset[len] + count_[len];
    for (int sym = 0; sym < n; ++sym) {
      if (lengths[sym] != 0) symbols_[offset[lengths[sym]]++] = static_cast<uint16_t>(sym);
    }
    // Canonical codes ascend in (length, symbol) order; the stream holds
    // them most significant bit first, so the table is indexed reversed.
    uint32_t code = 0;
    int index = 0;
    for (int len = 1; len <= kFastBits; ++len, code <<= 1) {
      for (int i = 0; i < count_[len]; ++i, ++code, ++index) {
        uint32_t reversed = 0;
        for (int b = 0; b < len; ++b) reversed |= ((code >> b) & 1) << (len - 1 - b);
        const Entry entry{symbols_[index], static_cast<uint8_t>(len + extra_bits(symbols_[index]))};
        for (uint32_t slot = reversed; slot < (1u << kFastBits); slot += 1u << len) {
          fast_[slot] = entry;
        }
      }
    }
    return true;
  }

  // For literal/length codes: a second table for skipping, in which one
  // lookup covers up to two literals. Call after Build.
  enum WalkKind : uint16_t { kLiterals = 0, kLength = 1 << 5, kEndOfBlock = 2 << 5, kSlow = 3 << 5 };
  void BuildWalkTable() {
    for (uint32_t slot = 0; slot < (1u << kFastBits); ++slot) {
      const Entry first = fast_[slot];
      uint16_t walk;
      if (first.bits == 0 || first.symbol > 285) {
        walk = kSlow;
      } else if (first.symbol == 256) {
        walk = kEndOfBlock | first.bits;
      } else if (first.symbol > 256) {
        walk = kLength | first.bits;
      } else {
        // A second literal whose code lies wholly inside the known bits.
        const Entry second = fast_[slot >> first.bits];
        const bool pair = second.bits != 0 && second.symbol < 256 &&
                          second.bits <= kFastBits - first.bits;
        walk = kLiterals | (first.bits + (pair ? second.bits : 0));
      }
      walk_[slot] = walk;
    }
  }
  uint16_t Walk(const BitReader& in) const { return walk_[in.Peek(kFastBits)]; }
  // The table entry alone: bits 0 for codes longer than the table.
  Entry FastLookup(const BitReader& in) const { return fast_[in.Peek(kFastBits)]; }

  // The entry for the next code (not consumed); bits 0 if the buffered bits
  // match no code. Needs 15 buffered bits.
  Entry Lookup(const BitReader& in) const {
    const Entry entry = fast_[in.Peek(kFastBits)];
    return entry.bits != 0 ? entry : SlowLookup(in.Peek(kMaxCodeBits));
  }

  // Decodes and consumes one symbol without its extra bits; -1 if none.
  int Decode(BitReader* in) const {
    const Entry entry = Lookup(*in);
    if (entry.bits == 0) return -1;
    in->Consume(entry.bits - extra_bits_(entry.symbol));
    return entry.symbol;
  }

 private:
  // Takes the next 15 bits, not the reader, so that readers stay in registers.
  ABSL_ATTRIBUTE_NOINLINE Entry SlowLookup(uint32_t bits) const {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxCodeBits; ++len) {
      code |= (bits >> (len - 1)) & 1;
      if (code < first + count_[len]) {  // Canonical: code >= first always.
        const uint16_t symbol = symbols_[index + code - first];
        return Entry{symbol, static_cast<uint8_t>(len + extra_bits_(symbol))};
      }
      index += count_[len];
      first = (first + count_[len]) << 1;
      code <<= 1;
    }
    return Entry{0, 0};
  }

  uint16_t count_[kMaxCodeBits + 1];
  uint16_t symbols_[288];
  Entry fast_[1 << kFastBits];
  uint16_t walk_[1 << kFastBits];  // WalkKind | bits to skip.
  int (*extra_bits_)(int symbol) = nullptr;
};

int NoExtraBits(int) { return 0; }

// Extra bits after a literal/length symbol: none for literals and
// end-of-block, 0..5 for lengths 257..285. Invalid symbols 286, 287: none.
int LiteralLengthExtraBits(int symbol) {
  const int s = symbol - 257;
  return s < 8 || s >= 28 ? 0 : s / 4 - 1;
}

// Extra bits after a distance symbol; invalid symbols 30, 31: none.
int DistanceExtraBits(int symbol) { return symbol < 4 || symbol > 29 ? 0 : symbol / 2 - 1; }

// Takes the position, not the reader, so that readers stay in registers.
ABSL_ATTRIBUTE_NOINLINE absl::Status Corrupt(uint64_t bit, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("deflate stream: ", what, " at bit ", bit));
}

absl::Status ReadDynamicCodes(BitReader* in, HuffmanCode* literals, HuffmanCode* distances) {
  const int hlit = static_cast<int>(in->Take(5)) + 257;
  const int hdist = static_cast<int>(in->Take(5)) + 1;
  const int hclen = static_cast<int>(in->Take(4)) + 4;
  if (hlit > 286 || hdist > 30) return Corrupt(in->position(), "too many codes");
  static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                         11, 4, 12, 3, 13, 2, 14, 1, 15};
  uint8_t code_lengths[19] = {0};
  for (int i = 0; i < hclen; ++i) code_lengths[kOrder[i]] = static_cast<uint8_t>(in->Take(3));
  HuffmanCode length_code;
  if (!length_code.Build(code_lengths, 19, NoExtraBits)) return Corrupt(in->position(), "bad code-length code");
  uint8_t lengths[286 + 30];
  for (int i = 0; i < hlit + hdist;) {
    in->Refill();
    const int symbol = length_code.Decode(in);
    if (symbol < 0 || in->overrun()) return Corrupt(in->position(), "bad code length");
    if (symbol < 16) {
      lengths[i++] = static_cast<uint8_t>(symbol);
      continue;
    }
    int repeat;
    uint8_t value = 0;
    if (symbol == 16) {
      if (i == 0) return Corrupt(in->position(), "repeat with no previous length");
      value = lengths[i - 1];
      repeat = 3 + static_cast<int>(in->Take(2));
    } else if (symbol == 17) {
      repeat = 3 + static_cast<int>(in->Take(3));
    } else {
      repeat = 11 + static_cast<int>(in->Take(7));
    }
    if (i + repeat > hlit + hdist) return Corrupt(in->position(), "code lengths overflow");
    std::memset(lengths + i, value, static_cast<size_t>(repeat));
    i += repeat;
  }
  if (lengths[256] == 0) return Corrupt(in->position(), "no end-of-block code");
  if (!literals->Build(lengths, hlit, LiteralLengthExtraBits) ||
      !distances->Build(lengths + hlit, hdist, DistanceExtraBits)) {
    return Corrupt(in->position(), "over-subscribed code");
  }
  literals->BuildWalkTable();
  return absl::OkStatus();
}

void BuildFixedCodes(HuffmanCode* literals, HuffmanCode* distances) {
  uint8_t lengths[288];
  std::memset(lengths, 8, 144);
  std::memset(lengths + 144, 9, 112);
  std::memset(lengths + 256, 7, 24);
  std::memset(lengths + 280, 8, 8);
  literals->Build(lengths, 288, LiteralLengthExtraBits);
  literals->BuildWalkTable();
  std::memset(lengths, 5, 30);
  distances->Build(lengths, 30, DistanceExtraBits);
}

// Skips symbols up to and including the end-of-block code. This is the hot
// loop of splicing: one lookup skips up to two literals, and a length with
// its distance costs two lookups.
absl::Status SkipCompressedData(BitReader* reader, const HuffmanCode& literals,
                                const HuffmanCode& distances) {
  // A local copy stays in registers; the caller's is updated on the way out.
  BitReader in = *reader;
  constexpr uint16_t kKind = 3 << 5, kBits = 31;
  while (true) {
    // 56 buffered bits cover two walk entries (at most 2 x 22 bits), or a
    // length code with extra bits and a distance code with extra bits (at
    // most 15 + 5 + 15 + 13).
    in.Refill();
    if (in.exhausted()) return Corrupt(in.position(), "truncated block");
    uint16_t walk = literals.Walk(in);
    if ((walk & kKind) == HuffmanCode::kLiterals) {
      in.Consume(walk & kBits);
      walk = literals.Walk(in);
      if ((walk & kKind) == HuffmanCode::kLiterals) {
        in.Consume(walk & kBits);
        continue;
      }
      in.Refill();
    }
    if ((walk & kKind) == HuffmanCode::kLength) {
      in.Consume(walk & kBits);
    } else if ((walk & kKind) == HuffmanCode::kEndOfBlock) {
      in.Consume(walk & kBits);
      *reader = in;
      return absl::OkStatus();
    } else {
      // A code longer than the table, or none.
      const HuffmanCode::Entry entry = literals.Lookup(in);
      if (entry.bits == 0) return Corrupt(in.position(), "invalid literal/length code");
      if (entry.symbol > 285) return Corrupt(in.position(), "invalid length symbol");
      in.Consume(entry.bits);
      if (entry.symbol == 256) {
        *reader = in;
        return absl::OkStatus();
      }
      if (entry.symbol < 256) continue;
    }
    const HuffmanCode::Entry distance = distances.Lookup(in);
    if (distance.bits == 0 || distance.symbol > 29) return Corrupt(in.position(), "invalid distance code");
    in.Consume(distance.bits);
  }
}

}  // namespace

absl::StatusOr<DeflateEnd> FindFinalBlock(absl::string_view stream) {
  BitReader in(stream);
  HuffmanCode literals, distances;
  while (true) {
    in.Refill();
    const uint64_t header = in.position();
    const bool final = in.Take(1) != 0;
    const uint32_t type = in.Take(2);
    absl::Status status;
    if (type == 0) {
      in.SkipAlignedBytes(0);
      in.Refill();
      const uint32_t length = in.Take(16), complement = in.Take(16);
      if (in.overrun()) return Corrupt(in.position(), "truncated stored block");
      if (length != (~complement & 0xffff)) return Corrupt(in.position(), "stored block length mismatch");
      if (!in.SkipAlignedBytes(length)) return Corrupt(in.position(), "truncated stored block");
    } else if (type == 1) {
      BuildFixedCodes(&literals, &distances);
      status = SkipCompressedData(&in, literals, distances);
    } else if (type == 2) {
      status = ReadDynamicCodes(&in, &literals, &distances);
      if (status.ok()) status = SkipCompressedData(&in, literals, distances);
    } else {
      return Corrupt(in.position(), "reserved block type");
    }
    if (!status.ok()) return status;
    if (in.overrun()) return Corrupt(in.position(), "truncated stream");
    if (final) return DeflateEnd{header, in.position()};
  }
}

absl::Status Unfinish(std::string* stream) {
  absl::StatusOr<DeflateEnd> end = FindFinalBlock(*stream);
  if (!end.ok()) return end.status();
  (*stream)[end->final_header_bit / 8] &= static_cast<char>(~(1u << (end->final_header_bit % 8)));
  // Zero everything from the end on: the next three bits are the empty
  // stored block's header (BFINAL 0, BTYPE 00), the rest its padding.
  const uint64_t end_bit = end->end_bit;
  stream->resize((end_bit + 3 + 7) / 8, '\0');
  if (end_bit % 8 != 0) (*stream)[end_bit / 8] &= static_cast<char>((1u << (end_bit % 8)) - 1);
  for (size_t i = (end_bit + 7) / 8; i < stream->size(); ++i) (*stream)[i] = 0;
  stream->append("\x00\x00\xff\xff", 4);
  return absl::OkStatus();
}

}  // namespace compress_internal
}  // namespace imagewriter
