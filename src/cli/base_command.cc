#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/digest/digest.h"
#include "src/io/file.h"
#include "src/json/writer.h"
#include "src/layout/blob_source.h"
#include "src/layout/image_reader.h"
#include "src/oci/annotations.h"

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
  absl::StatusOr<std::vector<Descriptor>> roots = ReadLayoutIndex(**source);
  if (!roots.ok()) return roots.status();
  if (roots->empty()) {
    return absl::InvalidArgumentError(absl::StrCat((*source)->Describe("index.json"), ": lists no image"));
  }
  const Descriptor& root = (*roots)[0];
  for (const Descriptor& other : *roots) {
    if (other.digest != root.digest) {
      return absl::InvalidArgumentError(absl::StrCat((*source)->Describe("index.json"),
                                                     ": lists several images; a base must be one"));
    }
  }
  absl::StatusOr<ImageManifest> image = ResolveImage(**source, root, platform);
  if (!image.ok()) return image.status();
  const std::string config_name = BlobPath(image->config.digest.algorithm(), image->config.digest.encoded());
  absl::StatusOr<std::string> config = (*source)->ReadSmall(config_name);
  if (!config.ok()) return config.status();
  if (Digest::Sha256Of(*config) != image->config.digest) {
    return absl::DataLossError(absl::StrCat((*source)->Describe(config_name),
                                            ": content does not match the manifest's config digest"));
  }
  // The name the base was published under, if the layout records one.
  Descriptor descriptor = image->descriptor;
  descriptor.annotations.clear();
  for (const char* key : {kAnnotationContainerdName, kAnnotationRefName}) {
    auto it = root.annotations.find(key);
    if (it != root.annotations.end()) descriptor.annotations[key] = it->second;
  }
  OutputSet outputs;
  outputs.Add(flags->Get("config-out"), *config);
  outputs.Add(flags->Get("manifest-out"), image->bytes);
  outputs.Add(flags->Get("descriptor-out"), json::Indent(descriptor.ToJson()));
  return outputs.CommitAll();
}

}  // namespace imagewriter
