#include "src/cli/flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/cli/exit_status.h"

namespace imagewriter {

absl::StatusOr<Flags> Flags::Parse(const std::vector<FlagSpec>& specs,
                                   const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      return UsageError(
          absl::StrCat("unexpected argument \"", arg, "\": flags start with --"));
    }
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return UsageError(absl::StrCat("unknown flag --", name));
    if (spec->kind == FlagSpec::Kind::kBool) {
      if (has_value) {
        return UsageError(absl::StrCat("flag --", name, " takes no value"));
      }
    } else if (!has_value) {
      if (i + 1 >= args.size()) {
        return UsageError(absl::StrCat("flag --", name, " needs a value"));
      }
      value = args[++i];
    }
    // An empty value is a script's unset variable: `--output ""` would
    // otherwise surface as an unnamed file-system error far from the flag.
    if (spec->kind != FlagSpec::Kind::kBool && value.empty()) {
      return UsageError(absl::StrCat("flag --", name, " has an empty value"));
    }
    std::vector<std::string>& slot = flags.values_[name];
    if (!slot.empty() && spec->kind == FlagSpec::Kind::kValue) {
      return UsageError(absl::StrCat("flag --", name, " given twice"));
    }
    slot.push_back(value);
  }
  for (const FlagSpec& s : specs) {
    if (s.required && !flags.Has(s.name)) {
      return UsageError(absl::StrCat("missing required flag --", s.name));
    }
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.front();
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    absl::StrAppendFormat(&out, "  --%-22s %s%s\n", s.name, s.help,
                          s.required ? " (required)" : "");
  }
  return out;
}

}  // namespace imagewriter
