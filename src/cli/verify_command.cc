#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/exit_status.h"
#include "src/cli/flags.h"
#include "src/io/file.h"
#include "src/compress/decompression_guard.h"
#include "src/layout/verify.h"

namespace imagewriter {

std::string VerifyUsage() {
  return "usage: imagewriter verify [--max-size BYTES] PATH\n"
         "  PATH: an OCI layout directory, an oci-archive or a docker-archive tarball\n"
         "  --max-size: refuse a layer whose uncompressed tar exceeds this (default 256 GiB; 0: no limit)\n";
}

absl::Status RunVerify(const std::vector<std::string>& args) {
  DecompressionLimits limits;
  std::vector<std::string> rest = args;
  if (rest.size() == 3 && rest[0] == "--max-size") {
    if (!absl::SimpleAtoi(rest[1], &limits.max_bytes) || rest[1].find_first_not_of("0123456789") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--max-size \"", rest[1], "\" is not a non-negative integer"));
    }
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.size() != 1 || rest[0].rfind("--", 0) == 0) {
    return UsageError("verify takes [--max-size BYTES] and exactly one PATH (see --help)");
  }
  const std::string& path = rest[0];
  // Archives are read by offset: a pipe or a device cannot be verified, and
  // /dev/zero or a FIFO would never end.
  absl::Status kind = RequireFileOrDirectory(path);
  if (!kind.ok()) return kind;
  absl::StatusOr<VerifyReport> report = Verify(path, limits);
  if (!report.ok()) return WithFlagHint(report.status(), {{kOptionMaxBytes, "limit: --max-size"}});
  printf("%s: OK: %d manifests, %d layers, %d blobs, %llu bytes verified", path.c_str(),
         report->manifests, report->layers, report->blobs,
         static_cast<unsigned long long>(report->bytes));
  // Only when there are some, so that the line is unchanged for plain images.
  if (report->attestations > 0) printf(", %d attestation manifests", report->attestations);
  printf("\n");
  return absl::OkStatus();
}

}  // namespace imagewriter
