#include "absl/strings/str_cat.h"
#include "src/base/key_value.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/layout/descriptor_file.h"
#include "src/layout/oci_layout.h"
#include "src/oci/annotations.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"out", FlagSpec::Kind::kValue, true, "layout directory to create"},
      {"root", FlagSpec::Kind::kRepeated, true,
       "descriptor JSON file of a manifest or index to list in index.json"},
      {"metadata", FlagSpec::Kind::kRepeated, false,
       "small blob (manifest, config, index) to hash and store"},
      {"blob", FlagSpec::Kind::kRepeated, false,
       "DESCRIPTOR_FILE=BLOB_FILE: a layer blob to link by its descriptor"},
      {"base", FlagSpec::Kind::kRepeated, false,
       "base image layout or archive to take reachable blobs from"},
      {"absent", FlagSpec::Kind::kRepeated, false,
       "descriptor JSON file of a reachable blob to leave out (a sparse layout for a push)"},
      {"copy-bases", FlagSpec::Kind::kBool, false, "copy blobs from base directories instead of linking"},
      {"ref-name", FlagSpec::Kind::kValue, false,
       "org.opencontainers.image.ref.name annotation for the roots"},
  };
  return *specs;
}

}  // namespace

std::string LayoutUsage() {
  return absl::StrCat("usage: imagewriter layout --out DIR --root DESCRIPTOR [flags]\n",
                      FlagHelp(Specs()));
}

absl::Status RunLayout(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  OciLayoutSpec spec;
  spec.directory = flags->Get("out");
  for (const std::string& file : flags->GetAll("root")) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(file);
    if (!d.ok()) return d.status();
    if (flags->Has("ref-name")) {
      d->annotations[kAnnotationRefName] = flags->Get("ref-name");
    }
    spec.roots.push_back(*std::move(d));
  }
  spec.metadata_blobs = flags->GetAll("metadata");
  for (const std::string& pair : flags->GetAll("blob")) {
    absl::StatusOr<KeyValue> files = SplitKeyValue(pair);
    if (!files.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--blob \"", pair, "\": expected DESCRIPTOR_FILE=BLOB_FILE"));
    }
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(files->key);
    if (!d.ok()) return d.status();
    spec.blob_files.push_back({*std::move(d), files->value});
  }
  for (const std::string& file : flags->GetAll("absent")) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(file);
    if (!d.ok()) return d.status();
    spec.absent.push_back(*std::move(d));
  }
  spec.bases = flags->GetAll("base");
  spec.copy_bases = flags->GetBool("copy-bases");
  return WriteOciLayout(spec);
}

}  // namespace imagewriter
