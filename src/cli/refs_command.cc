#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/oci/reference.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"repository", FlagSpec::Kind::kValue, true, "registry/path to push to, without tag"},
      {"tag", FlagSpec::Kind::kRepeated, false, "tag to push (none: push by digest)"},
      {"output", FlagSpec::Kind::kValue, true, "file of the validated tags, one per line"},
  };
  return *specs;
}

}  // namespace

std::string RefsUsage() {
  return absl::StrCat("usage: imagewriter refs --repository REPO [--tag T ...] --output FILE\n",
                      FlagHelp(Specs()));
}

absl::Status RunRefs(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  const std::string repository = flags->Get("repository");
  absl::StatusOr<Reference> repo = ParseReference(repository);
  if (!repo.ok()) return repo.status();
  if (!repo->tag.empty() || !repo->digest.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "repository \"", repository, "\": give tags in remote_tags, not in the repository"));
  }
  std::string lines;
  for (const std::string& tag : flags->GetAll("tag")) {
    absl::StatusOr<Reference> r = ParseRepoTag(absl::StrCat(repository, ":", tag));
    if (!r.ok()) return WithContext(absl::StrCat("remote tag \"", tag, "\""), r.status());
    absl::StrAppend(&lines, tag, "\n");
  }
  OutputSet outputs;
  outputs.Add(flags->Get("output"), lines);
  return outputs.CommitAll();
}

}  // namespace imagewriter
