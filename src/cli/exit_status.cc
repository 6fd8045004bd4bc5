#include "src/cli/exit_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "src/base/status.h"

namespace imagewriter {
namespace {

constexpr char kUsagePayload[] = "imagewriter/usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord());
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return absl::IsInvalidArgument(status) && status.GetPayload(kUsagePayload).has_value();
}

int ExitStatus(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) return kExitUsage;
  return kExitFailure;
}

absl::Status WithFlagHint(const absl::Status& status,
                          const std::map<std::string, std::string>& hints) {
  auto hint = hints.find(OptionOf(status));
  if (status.ok() || hint == hints.end()) return status;
  return absl::Status(status.code(), absl::StrCat(status.message(), " (", hint->second, ")"));
}

}  // namespace imagewriter
