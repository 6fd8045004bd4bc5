#include "src/compress/internal/deflate_blocks.h"

#include <algorithm>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace compress_internal {
namespace {

constexpr int kMaxCodeBits = 15;
// Literal/length and distance codes up to this long decode by one lookup.
constexpr int kFastBits = 11;
// Code-length codes are at most 7 bits long: their table holds them all.
constexpr int kCodeLengthBits = 7;

// LSB-first bit reader over a byte string. Past the end it reads zeros and
// counts them, so callers check overrun() rather than every read.
class BitReader {
 public:
  explicit BitReader(absl::string_view s)
      : begin_(reinterpret_cast<const uint8_t*>(s.data())), p_(begin_), end_(begin_ + s.size()) {}

  // Whether RefillFast may run: 8 bytes are left to load from. Once false
  // it stays false (the reader only moves forward).
  bool CanRefillFast() const { return end_ - p_ >= 8; }
  // Refill's common case, with one unaligned load.
  void RefillFast() {
    uint64_t word;
    std::memcpy(&word, p_, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    bits_ |= word << count_;
    p_ += (63 - count_) >> 3;
    count_ |= 56;
  }
  // After Refill at least 56 bits are buffered.
  void Refill() {
    if (CanRefillFast()) {
      RefillFast();
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
  uint32_t PeekAfter(uint32_t skip, int n) const {
    return static_cast<uint32_t>((bits_ >> skip) & ((uint64_t{1} << n) - 1));
  }
  void Consume(int n) {
    bits_ >>= n;
    count_ -= n;
  }
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

// A canonical Huffman code: one table lookup for codes of up to kTableBits,
// a bit-by-bit canonical decode for longer ones. A table entry also carries
// the symbol's extra bits, so skipping a symbol is one lookup and one shift.
template <int kTableBits>
class HuffmanTable {
 public:
  struct Entry {
    uint16_t symbol;
    uint8_t bits;  // Code length plus extra bits; 0: not in the table.
  };

  // False if the lengths over-subscribe the code space. Incomplete codes
  // are allowed (RFC 1951 permits a single distance code). `extra_bits`
  // gives each symbol's extra bits (nullptr: none).
  // For literal/length codes, `with_walk_table` also builds the table for
  // skipping (Walk), in which one lookup covers up to two literals.
  enum WalkKind : uint16_t { kLiterals = 0, kLength = 1 << 5, kEndOfBlock = 2 << 5, kSlow = 3 << 5 };
  bool Build(const uint8_t* lengths, int n, const uint8_t* extra_bits,
             bool with_walk_table = false) {
    std::memset(count_, 0, sizeof(count_));
    extra_bits_ = extra_bits;
    for (int i = 0; i < n; ++i) count_[lengths[i]]++;
    count_[0] = 0;
    int left = 1;
    bool longer_than_table = false;
    for (int len = 1; len <= kMaxCodeBits; ++len) {
      left = (left << 1) - count_[len];
      if (left < 0) return false;
      if (len > kTableBits && count_[len] != 0) longer_than_table = true;
    }
    // A complete code that fits the table fills every slot; otherwise some
    // slots must read "not in the table".
    if (left != 0 || longer_than_table) {
      std::memset(fast_, 0, sizeof(fast_));
      if (with_walk_table) std::fill(walk_, walk_ + (1 << kTableBits), kSlow);
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
    int shortest_literal = kMaxCodeBits + 1;
    for (int len = 1; len <= kTableBits; ++len, code <<= 1) {
      for (int i = 0; i < count_[len]; ++i, ++code, ++index) {
        const uint16_t symbol = symbols_[index];
        const uint32_t reversed = Reverse(code, len);
        const Entry entry{symbol, static_cast<uint8_t>(len + Extra(symbol))};
        for (uint32_t slot = reversed; slot < (1u << kTableBits); slot += 1u << len) {
          fast_[slot] = entry;
        }
        if (!with_walk_table) continue;
        const uint16_t walk = symbol < 256    ? (shortest_literal = std::min(shortest_literal, len),
                                                 static_cast<uint16_t>(kLiterals | entry.bits))
                              : symbol == 256 ? static_cast<uint16_t>(kEndOfBlock | entry.bits)
                              : symbol <= 285 ? static_cast<uint16_t>(kLength | entry.bits)
                                              : static_cast<uint16_t>(kSlow);
        for (uint32_t slot = reversed; slot < (1u << kTableBits); slot += 1u << len) {
          walk_[slot] = walk;
        }
      }
    }
    // Two literals fit one lookup only if two codes fit the table's bits.
    if (with_walk_table && 2 * shortest_literal <= kTableBits) PairLiterals();
    return true;
  }

  uint16_t Walk(const BitReader& in) const { return walk_[in.Peek(kTableBits)]; }
  // The table entry for the code that starts `skip` bits ahead (skip + 11
  // buffered bits needed): bits 0 for codes longer than the table.
  Entry FastLookupAfter(const BitReader& in, uint32_t skip) const {
    return fast_[in.PeekAfter(skip, kTableBits)];
  }

  // The entry for the next code (not consumed); bits 0 if the buffered bits
  // match no code. Needs 15 buffered bits.
  Entry Lookup(const BitReader& in) const {
    const Entry entry = fast_[in.Peek(kTableBits)];
    return entry.bits != 0 ? entry : SlowLookup(in.Peek(kMaxCodeBits));
  }

  // Decodes and consumes one symbol without its extra bits; -1 if none.
  int Decode(BitReader* in) const {
    const Entry entry = Lookup(*in);
    if (entry.bits == 0) return -1;
    in->Consume(entry.bits - Extra(entry.symbol));
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
        return Entry{symbol, static_cast<uint8_t>(len + Extra(symbol))};
      }
      index += count_[len];
      first = (first + count_[len]) << 1;
      code <<= 1;
    }
    return Entry{0, 0};
  }

  // Widens single-literal walk entries to literal pairs where a second
  // literal's code lies wholly inside the known bits.
  void PairLiterals() {
    for (uint32_t slot = 0; slot < (1u << kTableBits); ++slot) {
      const uint16_t first = walk_[slot];
      if ((first & kSlow) != kLiterals) continue;
      const Entry second = fast_[slot >> first];
      if (second.bits != 0 && second.symbol < 256 && second.bits <= kTableBits - first) {
        walk_[slot] = static_cast<uint16_t>(first + second.bits);
      }
    }
  }
  int Extra(int symbol) const { return extra_bits_ == nullptr ? 0 : extra_bits_[symbol]; }
  static uint32_t Reverse(uint32_t code, int len) {
    uint32_t reversed = 0;
    for (int b = 0; b < len; ++b, code >>= 1) reversed = (reversed << 1) | (code & 1);
    return reversed;
  }

  uint16_t count_[kMaxCodeBits + 1];
  uint16_t symbols_[288];
  Entry fast_[1 << kTableBits];
  uint16_t walk_[1 << kTableBits];  // WalkKind | bits to skip.
  const uint8_t* extra_bits_ = nullptr;
};

using HuffmanCode = HuffmanTable<kFastBits>;

// Extra bits after each literal/length symbol: none for literals and
// end-of-block, 0..5 for lengths 257..285; invalid 286, 287: none.
constexpr uint8_t kLiteralLengthExtraBits[288] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0,                                            // 256: end of block.
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,  // 257..272
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,           // 273..285
    0, 0};                                        // 286, 287: invalid.

// Extra bits after each distance symbol; invalid 30, 31: none.
constexpr uint8_t kDistanceExtraBits[32] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 0, 0};

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
  HuffmanTable<kCodeLengthBits> length_code;
  if (!length_code.Build(code_lengths, 19, nullptr)) {
    return Corrupt(in->position(), "bad code-length code");
  }
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
  if (!literals->Build(lengths, hlit, kLiteralLengthExtraBits, true) ||
      !distances->Build(lengths + hlit, hdist, kDistanceExtraBits)) {
    return Corrupt(in->position(), "over-subscribed code");
  }
  return absl::OkStatus();
}

void BuildFixedCodes(HuffmanCode* literals, HuffmanCode* distances) {
  uint8_t lengths[288];
  std::memset(lengths, 8, 144);
  std::memset(lengths + 144, 9, 112);
  std::memset(lengths + 256, 7, 24);
  std::memset(lengths + 280, 8, 8);
  literals->Build(lengths, 288, kLiteralLengthExtraBits, true);
  std::memset(lengths, 5, 30);
  distances->Build(lengths, 30, kDistanceExtraBits);
}

// One stream being walked: its reader and the current block's codes.
struct StreamWalk {
  explicit StreamWalk(absl::string_view stream) : in(stream) {}
  BitReader in;
  HuffmanCode literals, distances;
  bool final = false;  // The current block is the last.
  uint64_t header = 0;  // Where the current block's header is.
  bool done = false;
  DeflateEnd end;
};

// Reads block headers, skipping stored blocks, until `walk` is inside a
// compressed block or past the final block.
absl::Status EnterBlock(StreamWalk* walk) {
  BitReader& in = walk->in;
  while (true) {
    in.Refill();
    if (in.overrun()) return Corrupt(in.position(), "truncated stream");
    walk->header = in.position();
    walk->final = in.Take(1) != 0;
    const uint32_t type = in.Take(2);
    if (type == 0) {
      in.SkipAlignedBytes(0);
      in.Refill();
      const uint32_t length = in.Take(16), complement = in.Take(16);
      if (in.overrun()) return Corrupt(in.position(), "truncated stored block");
      if (length != (~complement & 0xffff)) {
        return Corrupt(in.position(), "stored block length mismatch");
      }
      if (!in.SkipAlignedBytes(length)) return Corrupt(in.position(), "truncated stored block");
      if (walk->final) {
        walk->done = true;
        walk->end = DeflateEnd{walk->header, in.position()};
        return absl::OkStatus();
      }
    } else if (type == 1) {
      BuildFixedCodes(&walk->literals, &walk->distances);
      return absl::OkStatus();
    } else if (type == 2) {
      return ReadDynamicCodes(&in, &walk->literals, &walk->distances);
    } else {
      return Corrupt(in.position(), "reserved block type");
    }
  }
}

// One step of skipping compressed data without branching on the symbol's
// kind (literal or length is unpredictable): skips one table entry (one or
// two literals, or a length with its extra bits), and a distance code with
// its extra bits only after a length, by masking. Returns false, consuming
// nothing, at an end of block, a code longer than the tables, or within 8
// bytes of the end of the input (so that the loop never checks for running
// past it); SlowStep handles those.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool FastStep(BitReader& in, const HuffmanCode& literals,
                                                  const HuffmanCode& distances) {
  // 56 buffered bits cover a step: two literals (at most 2 x 11 bits from
  // the table), or a length code with extra bits and a distance code with
  // extra bits (at most 15 + 5 + 15 + 13).
  if (ABSL_PREDICT_FALSE(!in.CanRefillFast())) return false;
  in.RefillFast();
  const uint16_t walk = literals.Walk(in);
  const uint32_t skip = walk & 31;
  const HuffmanCode::Entry distance = distances.FastLookupAfter(in, skip);
  const uint32_t is_length = (walk >> 5) & 1;
  if (ABSL_PREDICT_FALSE((walk >= HuffmanCode::kEndOfBlock) | (is_length & (distance.bits == 0)))) {
    return false;
  }
  in.Consume(skip + (distance.bits & (0u - is_length)));
  return true;
}

// One symbol of any kind, and at an end of block the next block's header.
absl::Status SlowStep(StreamWalk* walk) {
  BitReader& in = walk->in;
  in.Refill();
  if (in.overrun()) return Corrupt(in.position(), "truncated block");
  const HuffmanCode::Entry entry = walk->literals.Lookup(in);
  if (entry.bits == 0) return Corrupt(in.position(), "invalid literal/length code");
  if (entry.symbol > 285) return Corrupt(in.position(), "invalid length symbol");
  in.Consume(entry.bits);
  if (entry.symbol < 256) return absl::OkStatus();
  if (entry.symbol > 256) {
    const HuffmanCode::Entry distance = walk->distances.Lookup(in);
    if (distance.bits == 0) return Corrupt(in.position(), "invalid distance code");
    in.Consume(distance.bits);
    return absl::OkStatus();
  }
  if (in.overrun()) return Corrupt(in.position(), "truncated block");
  if (!walk->final) return EnterBlock(walk);
  walk->done = true;
  walk->end = DeflateEnd{walk->header, in.position()};
  return absl::OkStatus();
}

// Walks `walk` to its end.
absl::StatusOr<DeflateEnd> Finish(StreamWalk* walk, absl::Status status) {
  while (status.ok() && !walk->done) {
    BitReader in = walk->in;  // A local copy stays in registers.
    while (FastStep(in, walk->literals, walk->distances)) {
    }
    walk->in = in;
    status = SlowStep(walk);
  }
  if (!status.ok()) return status;
  return walk->end;
}

}  // namespace

absl::StatusOr<DeflateEnd> FindFinalBlock(absl::string_view stream) {
  StreamWalk walk(stream);
  absl::Status status = EnterBlock(&walk);
  return Finish(&walk, status);
}

std::pair<absl::StatusOr<DeflateEnd>, absl::StatusOr<DeflateEnd>> FindFinalBlocks(
    absl::string_view first, absl::string_view second) {
  StreamWalk a(first), b(second);
  absl::Status status_a = EnterBlock(&a), status_b = EnterBlock(&b);
  // Both streams step in one loop: each step is a chain of dependent
  // lookups, and two independent chains run side by side on one core.
  while (status_a.ok() && status_b.ok() && !a.done && !b.done) {
    BitReader in_a = a.in, in_b = b.in;
    bool stepped_a, stepped_b;
    do {
      stepped_a = FastStep(in_a, a.literals, a.distances);
      stepped_b = FastStep(in_b, b.literals, b.distances);
    } while (stepped_a & stepped_b);
    a.in = in_a;
    b.in = in_b;
    if (!stepped_a) status_a = SlowStep(&a);
    if (!stepped_b) status_b = SlowStep(&b);
  }
  auto end_a = Finish(&a, status_a);
  auto end_b = Finish(&b, status_b);
  return {std::move(end_a), std::move(end_b)};
}

namespace {

void ApplyUnfinish(const DeflateEnd& end, std::string* stream) {
  (*stream)[end.final_header_bit / 8] &= static_cast<char>(~(1u << (end.final_header_bit % 8)));
  // Zero everything from the end on: the next three bits are the empty
  // stored block's header (BFINAL 0, BTYPE 00), the rest its padding.
  const uint64_t end_bit = end.end_bit;
  stream->resize((end_bit + 3 + 7) / 8, '\0');
  if (end_bit % 8 != 0) (*stream)[end_bit / 8] &= static_cast<char>((1u << (end_bit % 8)) - 1);
  for (size_t i = (end_bit + 7) / 8; i < stream->size(); ++i) (*stream)[i] = 0;
  stream->append("\x00\x00\xff\xff", 4);
}

}  // namespace

absl::Status Unfinish(std::string* stream) {
  absl::StatusOr<DeflateEnd> end = FindFinalBlock(*stream);
  if (!end.ok()) return end.status();
  ApplyUnfinish(*end, stream);
  return absl::OkStatus();
}

absl::Status UnfinishBoth(std::string* first, std::string* second) {
  auto ends = FindFinalBlocks(*first, *second);
  if (!ends.first.ok()) return ends.first.status();
  if (!ends.second.ok()) return ends.second.status();
  ApplyUnfinish(*ends.first, first);
  ApplyUnfinish(*ends.second, second);
  return absl::OkStatus();
}

}  // namespace compress_internal
}  // namespace imagewriter
