// Fuzzes `imagewriter diff` on two arbitrary archives. The input is
// "<4-byte little-endian length of A><A><B>"; A and B are written to files
// and diffed with a 64 MiB decompression limit. Whatever the bytes, the
// diff must end with a report or an error, within the limits.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/diff/image_diff.h"
#include "src/io/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static const std::string base = [] {
    const char* dir = getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/diff_fuzz." + std::to_string(getpid());
  }();
  const uint32_t n = data[0] | data[1] << 8 | data[2] << 16 | static_cast<uint32_t>(data[3]) << 24;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  const size_t split = n % (rest.size() + 1);
  if (!imagewriter::WriteFileAtomically(base + ".a.tar", rest.substr(0, split)).ok() ||
      !imagewriter::WriteFileAtomically(base + ".b.tar", rest.substr(split)).ok()) {
    return 0;
  }
  imagewriter::DiffOptions options;
  options.a = base + ".a.tar";
  options.b = base + ".b.tar";
  options.limits.max_bytes = 64 << 20;
  (void)imagewriter::DiffImages(options);
  return 0;
}
