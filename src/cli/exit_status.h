// How a command's status becomes the process's exit status, and the two
// facts about a failure only the cli knows: that the command line itself
// was wrong, and which flag sets the library option a failure is about.
//
// Exit status: 0 success; 2 a usage error (an unknown command or flag, a
// flag without its value or given twice, a required flag missing, operands
// that do not fit the command); 1 any other failure (an input that is
// missing or malformed, a limit reached, an output that cannot be written).
// The status code decides, never the message's wording.
#ifndef IMAGEWRITER_CLI_EXIT_STATUS_H_
#define IMAGEWRITER_CLI_EXIT_STATUS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// An InvalidArgument error marked as a usage error.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

int ExitStatus(const absl::Status& status);

// `status` with " (HINT)" appended when its option (base/status.h OptionOf)
// is a key of `hints`: how the command's flags set that option.
absl::Status WithFlagHint(const absl::Status& status,
                          const std::map<std::string, std::string>& hints);

}  // namespace imagewriter

#endif  // IMAGEWRITER_CLI_EXIT_STATUS_H_
