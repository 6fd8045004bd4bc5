#include <cstdio>

#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/io/file.h"
#include "src/layout/verify.h"

namespace imagewriter {

std::string VerifyUsage() {
  return "usage: imagewriter verify PATH\n"
         "  PATH: an OCI layout directory, an oci-archive or a docker-archive tarball\n";
}

absl::Status RunVerify(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].rfind("--", 0) == 0) {
    return absl::InvalidArgumentError("verify takes exactly one PATH (see --help)");
  }
  // Archives are read by offset: a pipe or a device cannot be verified, and
  // /dev/zero or a FIFO would never end.
  absl::Status kind = RequireFileOrDirectory(args[0]);
  if (!kind.ok()) return kind;
  absl::StatusOr<VerifyReport> report = Verify(args[0]);
  if (!report.ok()) return report.status();
  printf("%s: OK: %d manifests, %d layers, %d blobs, %llu bytes verified\n", args[0].c_str(),
         report->manifests, report->layers, report->blobs,
         static_cast<unsigned long long>(report->bytes));
  return absl::OkStatus();
}

}  // namespace imagewriter
