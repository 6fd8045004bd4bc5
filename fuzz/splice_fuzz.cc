// Fuzzes the deflate block walker behind gzip splicing. Whatever the input:
// no crash; walking two streams together agrees with walking each alone;
// and when zlib accepts a stream, the spliced stream followed by an empty
// final block inflates to the same bytes (the splice preserves meaning).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/compress/internal/deflate_blocks.h"

namespace {

using imagewriter::compress_internal::DeflateEnd;

// Inflates a raw deflate stream, capped; false unless it is one complete,
// valid stream with nothing after it.
bool Inflate(const std::string& in, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return false;
  char buffer[4096];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out->append(buffer, sizeof(buffer) - z.avail_out);
  } while (rc == Z_OK && out->size() < (8u << 20));
  const bool ok = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return ok;
}

bool Same(const absl::StatusOr<DeflateEnd>& a, const absl::StatusOr<DeflateEnd>& b) {
  if (a.ok() != b.ok()) return false;
  return !a.ok() || (a->final_header_bit == b->final_header_bit && a->end_bit == b->end_bit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  const std::string first = input.substr(0, cut), second = input.substr(cut);

  const auto one = imagewriter::compress_internal::FindFinalBlock(input);
  const auto both = imagewriter::compress_internal::FindFinalBlocks(first, second);
  if (!Same(both.first, imagewriter::compress_internal::FindFinalBlock(first)) ||
      !Same(both.second, imagewriter::compress_internal::FindFinalBlock(second))) {
    std::abort();
  }

  std::string expected;
  if (!one.ok() || !Inflate(input, &expected) || expected.size() >= (8u << 20)) return 0;
  std::string spliced = input;
  if (!imagewriter::compress_internal::Unfinish(&spliced).ok()) std::abort();
  spliced.append("\x03\x00", 2);  // An empty final block with fixed codes.
  std::string got;
  if (!Inflate(spliced, &got) || got != expected) std::abort();
  return 0;
}
