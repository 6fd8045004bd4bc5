#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/layout/archive_writer.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"layout", FlagSpec::Kind::kValue, true, "OCI layout directory (or archive) to read"},
      {"output", FlagSpec::Kind::kValue, true, "tarball to write"},
      {"format", FlagSpec::Kind::kValue, false, "docker (default: docker/podman load) or oci (oci-archive)"},
      {"tag", FlagSpec::Kind::kRepeated, false, "repo tag name:tag to record"},
      {"platform", FlagSpec::Kind::kValue, false, "os/arch[/variant] to pick from a multi-platform index"},
  };
  return *specs;
}

}  // namespace

std::string ArchiveUsage() {
  return absl::StrCat("usage: imagewriter archive --layout DIR --output FILE [flags]\n",
                      FlagHelp(Specs()));
}

absl::Status RunArchive(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  ArchiveOptions options;
  options.layout = flags->Get("layout");
  options.output = flags->Get("output");
  const std::string format = flags->Get("format", "docker");
  if (format == "docker") {
    options.format = ArchiveFormat::kDocker;
  } else if (format == "oci") {
    options.format = ArchiveFormat::kOci;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--format \"", format, "\": expected docker or oci"));
  }
  options.repo_tags = flags->GetAll("tag");
  if (flags->Has("platform")) {
    absl::StatusOr<Platform> p = Platform::Parse(flags->Get("platform"));
    if (!p.ok()) return p.status();
    options.platform = *p;
  }
  return WriteArchive(options);
}

}  // namespace imagewriter
