#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/json/writer.h"
#include "src/request/image_request.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"request", FlagSpec::Kind::kValue, true, "ImageRequest JSON (src/proto/request.proto)"},
      {"config-out", FlagSpec::Kind::kValue, false, "image config JSON output"},
      {"manifest-out", FlagSpec::Kind::kValue, false, "manifest JSON output"},
      {"descriptor-out", FlagSpec::Kind::kValue, false, "manifest descriptor JSON output"},
      {"digest-out", FlagSpec::Kind::kValue, false, "manifest digest output (sha256:...)"},
  };
  return *specs;
}

}  // namespace

std::string ImageUsage() {
  return absl::StrCat("usage: imagewriter image --request FILE [outputs]\n", FlagHelp(Specs()));
}

absl::Status RunImage(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  const char* source_date_epoch = getenv("SOURCE_DATE_EPOCH");
  absl::StatusOr<ImageOutput> image = BuildImageFromRequest(
      flags->Get("request"),
      source_date_epoch ? std::optional<std::string>(source_date_epoch) : std::nullopt);
  if (!image.ok()) return image.status();
  for (const std::string& warning : image->warnings) {
    fprintf(stderr, "imagewriter image: warning: %s\n", warning.c_str());
  }
  OutputSet outputs;
  outputs.Add(flags->Get("config-out"), image->config);
  outputs.Add(flags->Get("manifest-out"), image->manifest);
  outputs.Add(flags->Get("descriptor-out"), json::Indent(image->manifest_descriptor.ToJson()));
  outputs.Add(flags->Get("digest-out"), image->manifest_descriptor.digest.ToString());
  return outputs.CommitAll();
}

}  // namespace imagewriter
