// Flags: a small command-line parser for imagewriter's subcommands.
//
// Accepts --name=value and --name value; a flag declared repeatable may be
// given many times; a boolean flag takes no value. Unknown flags, missing
// or empty values and missing required flags are errors that name the flag.
#ifndef IMAGEWRITER_CLI_FLAGS_H_
#define IMAGEWRITER_CLI_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace imagewriter {

struct FlagSpec {
  enum class Kind { kValue, kRepeated, kBool };
  std::string name;  // Without the leading "--".
  Kind kind = Kind::kValue;
  bool required = false;
  std::string help;
};

class Flags {
 public:
  static absl::StatusOr<Flags> Parse(const std::vector<FlagSpec>& specs,
                                     const std::vector<std::string>& args);
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool GetBool(const std::string& name) const { return Has(name); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// "  --name  help" lines for a usage message.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace imagewriter

#endif  // IMAGEWRITER_CLI_FLAGS_H_
