#include "src/request/request_testing.h"

#include <stdlib.h>

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/io/file.h"

namespace imagewriter {

TestDir::TestDir() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/requestXXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  dir_ = buffer.data();
}

std::string TestDir::Path(absl::string_view name) const { return absl::StrCat(dir_, "/", name); }

std::string TestDir::Write(absl::string_view name, absl::string_view contents) const {
  const std::string path = Path(name);
  absl::Status s = WriteFileAtomically(path, contents);
  if (!s.ok()) {
    fprintf(stderr, "%s\n", s.ToString().c_str());
    abort();
  }
  return path;
}

}  // namespace imagewriter
