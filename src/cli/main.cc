// imagewriter: writes OCI/Docker image layers, configs, manifests, indexes
// and layouts, deterministically. See `imagewriter help`.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "src/cli/exit_status.h"

namespace imagewriter {

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"layer", "compress and hash one layer tar in a single pass", RunLayer, LayerUsage},
      {"image", "write config, manifest and descriptor from layer descriptors", RunImage,
       ImageUsage},
      {"index", "write an image index or manifest list", RunIndex, IndexUsage},
      {"attest", "write an image's attestation manifest (in-toto statements, provenance)",
       RunAttest, AttestUsage},
      {"layout", "assemble an OCI image layout directory", RunLayout, LayoutUsage},
      {"archive", "write a docker-archive or oci-archive tarball", RunArchive, ArchiveUsage},
      {"verify", "check a layout or archive end to end", RunVerify, VerifyUsage},
      {"refs", "validate push tags or load names", RunRefs, RefsUsage},
      {"base", "extract a base image's config and manifest from a layout or archive", RunBase,
       BaseUsage},
      {"diff", "explain why two images differ, down to the file and field", nullptr, DiffUsage,
       DiffMain},
  };
  return *commands;
}

}  // namespace imagewriter

namespace {

void PrintHelp(FILE* out) {
  fprintf(out, "usage: imagewriter COMMAND [flags]\n\ncommands:\n");
  for (const imagewriter::Command& c : imagewriter::Commands()) {
    fprintf(out, "  %-8s %s\n", c.name, c.summary);
  }
  fprintf(out,
          "\n`imagewriter COMMAND --help` describes a command's flags.\n"
          "\nexit status: 0 success, 1 failure (an input missing or malformed, a limit\n"
          "reached, an output not written), 2 usage error (unknown command or flag,\n"
          "missing or repeated flag, wrong operands).\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
    PrintHelp(argc < 2 ? stderr : stdout);
    return argc < 2 ? imagewriter::kExitUsage : imagewriter::kExitOk;
  }
  for (const imagewriter::Command& c : imagewriter::Commands()) {
    if (strcmp(argv[1], c.name) != 0) continue;
    std::vector<std::string> args(argv + 2, argv + argc);
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
      fputs(c.usage().c_str(), stdout);
      return imagewriter::kExitOk;
    }
    if (c.main != nullptr) return c.main(args);
    absl::Status status = c.run(args);
    if (!status.ok()) {
      // One line: the input, the place and the problem.
      std::string message(status.message());
      for (char& ch : message) {
        if (ch == '\n') ch = ' ';
      }
      fprintf(stderr, "imagewriter %s: error: %s\n", c.name, message.c_str());
      return imagewriter::ExitStatus(status);
    }
    return imagewriter::kExitOk;
  }
  fprintf(stderr, "imagewriter: unknown command \"%s\"\n", argv[1]);
  PrintHelp(stderr);
  return imagewriter::kExitUsage;
}
