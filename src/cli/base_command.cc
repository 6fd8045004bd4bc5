#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/io/file.h"
#include "src/json/writer.h"
#include "src/layout/base_source.h"
#include "src/layout/blob_source.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"source", FlagSpec::Kind::kValue, true, "base image: OCI layout directory, oci-archive or docker-archive"},
      {"platform", FlagSpec::Kind::kValue, false, "os/arch[/variant] to pick from a multi-platform base"},
      {"config-out", FlagSpec::Kind::kValue, true, "the base config"},
      {"manifest-out", FlagSpec::Kind::kValue, true, "the base manifest"},
      {"descriptor-out", FlagSpec::Kind::kValue, true,
       "the base manifest's descriptor, with its name annotations when known"},
  };
  return *specs;
}

}  // namespace

std::string BaseUsage() {
  return absl::StrCat("usage: imagewriter base --source PATH --config-out F --manifest-out F "
                      "--descriptor-out F [--platform P]\n",
                      FlagHelp(Specs()));
}

absl::Status RunBase(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  std::optional<Platform> platform;
  if (flags->Has("platform")) {
    absl::StatusOr<Platform> p = Platform::Parse(flags->Get("platform"));
    if (!p.ok()) return p.status();
    platform = *p;
  }
  // A layout or an archive, read by offset: never a pipe or a device.
  absl::Status kind = RequireFileOrDirectory(flags->Get("source"));
  if (!kind.ok()) return kind;
  absl::StatusOr<std::unique_ptr<BlobSource>> source = OpenBlobSource(flags->Get("source"));
  if (!source.ok()) return source.status();
  absl::StatusOr<BaseSource> base = ReadBaseSource(**source, platform);
  if (!base.ok()) return base.status();
  OutputSet outputs;
  outputs.Add(flags->Get("config-out"), base->config);
  outputs.Add(flags->Get("manifest-out"), base->manifest);
  outputs.Add(flags->Get("descriptor-out"), json::Indent(base->descriptor.ToJson()));
  return outputs.CommitAll();
}

}  // namespace imagewriter
