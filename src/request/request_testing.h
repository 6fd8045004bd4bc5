// TestDir: a fresh directory under the test's TEST_TMPDIR, for the request
// files (and the files they name) of a test.
#ifndef IMAGEWRITER_REQUEST_REQUEST_TESTING_H_
#define IMAGEWRITER_REQUEST_REQUEST_TESTING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace imagewriter {

class TestDir {
 public:
  TestDir();  // Aborts if it cannot make the directory.

  // The path of `name` in the directory.
  std::string Path(absl::string_view name) const;
  // Writes `contents` to `name` and returns its path; aborts on failure.
  std::string Write(absl::string_view name, absl::string_view contents) const;

 private:
  std::string dir_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_REQUEST_TESTING_H_
