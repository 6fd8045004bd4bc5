// The imagewriter subcommands. Each takes its arguments (after the command
// name), returns OK or an error naming the input and problem, and on error
// leaves none of its outputs behind.
#ifndef IMAGEWRITER_CLI_COMMANDS_H_
#define IMAGEWRITER_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace imagewriter {

struct Command {
  const char* name;
  const char* summary;
  absl::Status (*run)(const std::vector<std::string>& args);
  std::string (*usage)();
  // Set for a command with its own exit statuses (diff: 0 same, 1
  // different, 2 error), which then prints its own errors; `run` is unused.
  int (*main)(const std::vector<std::string>& args) = nullptr;
};

// layer: a layer input (tar, .tar.gz, .tar.zst) to blob + descriptor + diffID.
absl::Status RunLayer(const std::vector<std::string>& args);
std::string LayerUsage();
// image: config + manifest + descriptor from a request of descriptors.
absl::Status RunImage(const std::vector<std::string>& args);
std::string ImageUsage();
// index: an image index / manifest list from manifest descriptors.
absl::Status RunIndex(const std::vector<std::string>& args);
std::string IndexUsage();
// attest: an attestation manifest for an image manifest, from in-toto
// statement files and the built-in provenance.
absl::Status RunAttest(const std::vector<std::string>& args);
std::string AttestUsage();
// layout: an OCI layout directory from blobs and root descriptors.
absl::Status RunLayout(const std::vector<std::string>& args);
std::string LayoutUsage();

// archive: a docker-archive or oci-archive tarball from an OCI layout.
absl::Status RunArchive(const std::vector<std::string>& args);
std::string ArchiveUsage();
// verify: checks a layout or archive end to end.
absl::Status RunVerify(const std::vector<std::string>& args);
std::string VerifyUsage();

// refs: validates a repository and tags for pushing, or the names of a load;
// writes one per line.
absl::Status RunRefs(const std::vector<std::string>& args);
std::string RefsUsage();

// base: the config and manifest of a base image held in a layout or archive.
absl::Status RunBase(const std::vector<std::string>& args);
std::string BaseUsage();

// diff: why two images differ; exits 0 identical, 1 different, 2 error.
int DiffMain(const std::vector<std::string>& args);
std::string DiffUsage();

const std::vector<Command>& Commands();

}  // namespace imagewriter

#endif  // IMAGEWRITER_CLI_COMMANDS_H_
