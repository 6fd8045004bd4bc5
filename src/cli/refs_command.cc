#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/cli/commands.h"
#include "src/cli/exit_status.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/oci/reference.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"repository", FlagSpec::Kind::kValue, false, "registry/path to push to, without tag"},
      {"tag", FlagSpec::Kind::kRepeated, false, "tag to push (none: push by digest)"},
      {"repo-tag", FlagSpec::Kind::kRepeated, false,
       "name:tag to load under, instead of --repository and --tag"},
      {"output", FlagSpec::Kind::kValue, true, "file of the validated tags, one per line"},
  };
  return *specs;
}

// The tags of a push, each checked as part of "<repository>:<tag>".
absl::StatusOr<std::string> PushTags(const Flags& flags) {
  const std::string repository = flags.Get("repository");
  absl::StatusOr<Reference> repo = ParseReference(repository);
  if (!repo.ok()) return repo.status();
  if (!repo->tag.empty() || !repo->digest.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "repository \"", repository, "\": give tags in remote_tags, not in the repository"));
  }
  std::string lines;
  for (const std::string& tag : flags.GetAll("tag")) {
    absl::StatusOr<Reference> r = ParseRepoTag(absl::StrCat(repository, ":", tag));
    if (!r.ok()) return WithContext(absl::StrCat("remote tag \"", tag, "\""), r.status());
    absl::StrAppend(&lines, tag, "\n");
  }
  return lines;
}

// The names of a load, in full ("docker.io/library/app:1" for "app:1"):
// containers-storage and podman name images that way, and a loader that
// prints them then says what `podman images` will show.
absl::StatusOr<std::string> LoadTags(const Flags& flags) {
  std::string lines;
  for (const std::string& name : flags.GetAll("repo-tag")) {
    absl::StatusOr<Reference> r = ParseRepoTag(name);
    if (!r.ok()) return WithContext(absl::StrCat("repo tag \"", name, "\""), r.status());
    absl::StrAppend(&lines, r->FamiliarToFull(), ":", r->tag, "\n");
  }
  return lines;
}

}  // namespace

std::string RefsUsage() {
  return absl::StrCat(
      "usage: imagewriter refs --repository REPO [--tag T ...] --output FILE\n"
      "       imagewriter refs [--repo-tag NAME:TAG ...] --output FILE\n",
      FlagHelp(Specs()));
}

absl::Status RunRefs(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  if (flags->Has("repo-tag") && (flags->Has("repository") || flags->Has("tag"))) {
    return UsageError("--repo-tag names whole references: give it without --repository or --tag");
  }
  if (flags->Has("tag") && !flags->Has("repository")) {
    return UsageError("--tag needs --repository");
  }
  absl::StatusOr<std::string> lines = flags->Has("repository") ? PushTags(*flags) : LoadTags(*flags);
  if (!lines.ok()) return lines.status();
  OutputSet outputs;
  outputs.Add(flags->Get("output"), *lines);
  return outputs.CommitAll();
}

}  // namespace imagewriter
