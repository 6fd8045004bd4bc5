// Fuzzes reading image archives: the input is written to a file and
// verified as an oci-archive / docker-archive.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/io/file.h"
#include "src/layout/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    const char* dir = getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/verify_fuzz." + std::to_string(getpid()) + ".tar";
  }();
  if (!imagewriter::WriteFileAtomically(path, absl::string_view(reinterpret_cast<const char*>(data), size)).ok()) {
    return 0;
  }
  (void)imagewriter::Verify(path);
  return 0;
}
