// `imagewriter diff A B`: flags in, DiffImages, the report out. Unlike the
// other commands it has three outcomes, as diff(1) and cmp(1) do: 0 the
// images are identical, 1 they differ, 2 an error (including usage).
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/exit_status.h"
#include "src/compress/decompression_guard.h"
#include "src/diff/image_diff.h"

namespace imagewriter {
namespace {

constexpr int kExitDifferent = 1;
constexpr int kExitTrouble = 2;

int Trouble(const absl::Status& status) {
  std::string message(status.message());
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  fprintf(stderr, "imagewriter diff: error: %s\n", message.c_str());
  return kExitTrouble;
}

}  // namespace

std::string DiffUsage() {
  return "usage: imagewriter diff [--json] [--max-size BYTES] [--max-ratio N] A B\n"
         "  A, B: an OCI layout directory, an oci-archive or a docker-archive, each\n"
         "        optionally followed by :TAG or @DIGEST to pick one image of several\n"
         "  --json: a machine-readable report instead of one line per difference\n"
         "  --max-size: refuse a layer whose uncompressed tar exceeds this (default 256 GiB; 0: no limit)\n"
         "  --max-ratio: refuse a decompression ratio over this, past 64 MiB (default 100000; 0: no limit)\n"
         "exit status: 0 identical, 1 different, 2 error\n";
}

namespace {

// The flags and the two operands, in any order.
absl::Status ParseDiffArgs(const std::vector<std::string>& args, DiffOptions* options, bool* as_json) {
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    uint64_t* limit = args[i] == "--max-size"    ? &options->limits.max_bytes
                      : args[i] == "--max-ratio" ? &options->limits.max_ratio
                                                 : nullptr;
    if (args[i] == "--json") {
      *as_json = true;
    } else if (limit != nullptr) {
      if (i + 1 == args.size()) return UsageError(absl::StrCat(args[i], " needs a value"));
      const std::string& v = args[++i];
      if (!absl::SimpleAtoi(v, limit) || v.find_first_not_of("0123456789") != std::string::npos) {
        return UsageError(absl::StrCat(args[i - 1], " \"", v, "\" is not a non-negative integer"));
      }
    } else if (args[i].rfind("--", 0) == 0) {
      return UsageError(absl::StrCat("unknown flag \"", args[i], "\" (see --help)"));
    } else {
      operands.push_back(args[i]);
    }
  }
  if (operands.size() != 2) return UsageError("diff takes exactly two images, A and B (see --help)");
  options->a = operands[0];
  options->b = operands[1];
  return absl::OkStatus();
}

}  // namespace

int DiffMain(const std::vector<std::string>& args) {
  DiffOptions options;
  bool as_json = false;
  absl::Status parsed = ParseDiffArgs(args, &options, &as_json);
  if (!parsed.ok()) return Trouble(parsed);
  absl::StatusOr<DiffReport> report = DiffImages(options);
  if (!report.ok()) {
    return Trouble(WithFlagHint(report.status(), {{kOptionMaxBytes, "limits: --max-size, --max-ratio"},
                                                  {kOptionMaxRatio, "limits: --max-size, --max-ratio"}}));
  }
  const std::string text = as_json ? report->ToJson() : report->ToText();
  fputs(text.c_str(), stdout);
  return report->identical() ? kExitOk : kExitDifferent;
}

}  // namespace imagewriter
