// Fuzzes the tar reader, and the timestamp rewriter in front of it.
#include <cstddef>
#include <cstdint>

#include "src/tar/tar_reader.h"
#include "src/tar/timestamp_clamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using imagewriter::TarReader;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  // Split the stream where the first byte says, to exercise chunking.
  const size_t split = size > 0 ? data[0] % (size + 1) : 0;
  TarReader plain;
  if (plain.Append(input.substr(0, split)).ok() && plain.Append(input.substr(split)).ok()) {
    (void)plain.Finish();
  }
  TarReader behind;
  imagewriter::TimestampClamp clamp(1000, &behind);
  // Finishing the clamp finishes `behind`.
  if (clamp.Append(input).ok()) (void)clamp.Finish();
  return 0;
}
