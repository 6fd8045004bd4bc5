#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/key_value.h"
#include "src/base/status.h"
#include "src/cli/commands.h"
#include "src/cli/exit_status.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/compress/compression.h"
#include "src/compress/decompression_guard.h"
#include "src/json/writer.h"
#include "src/oci/timestamp.h"
#include "src/request/layer_files.h"
#include "src/tar/path_safety.h"
#include "src/writer/layer_writer.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"input", FlagSpec::Kind::kValue, false, "layer tar: plain, gzip or zstd"},
      {"files", FlagSpec::Kind::kValue, false,
       "LayerFiles JSON (src/proto/request.proto): build the tar from files instead"},
      {"rewrite-timestamp", FlagSpec::Kind::kValue, false,
       "clamp every time in the tar to these seconds since 1970"},
      {"output", FlagSpec::Kind::kValue, true, "where to write the blob"},
      {"descriptor-out", FlagSpec::Kind::kValue, false, "descriptor JSON output"},
      {"diff-id-out", FlagSpec::Kind::kValue, false, "diffID output (sha256:...)"},
      {"compression", FlagSpec::Kind::kValue, false, "gzip (default), estargz, zstd or none"},
      {"level", FlagSpec::Kind::kValue, false,
       "compression level (gzip 0-12, 0 = stored as Go writes it, default 2; estargz 0-12, 0 = BuildKit's bytes, default 2; zstd 1-19, default 3)"},
      {"threads", FlagSpec::Kind::kValue, false,
       "encoder threads (default: cores, at most 8); the output is the same for any count"},
      {"force-recompress", FlagSpec::Kind::kBool, false,
       "recompress even if the input already has the requested compression"},
      {"annotation", FlagSpec::Kind::kRepeated, false, "KEY=VALUE descriptor annotation"},
      {"max-size", FlagSpec::Kind::kValue, false,
       "refuse an uncompressed tar over this many bytes (default 256 GiB; 0: no limit)"},
      {"max-ratio", FlagSpec::Kind::kValue, false,
       "refuse a decompression ratio over this, past 64 MiB (default 100000; 0: no limit)"},
      {"allow-writes-through-symlinks", FlagSpec::Kind::kBool, false,
       "accept entries under a symlink of the layer that points out of the root (lib -> /etc, then lib/x)"},
  };
  return *specs;
}

// How this command's flags set the LayerOptions a failure can be about.
const std::map<std::string, std::string>& LayerOptionHints() {
  static const auto* hints = new std::map<std::string, std::string>{
      {kOptionAllowWritesThroughSymlinks, "--allow-writes-through-symlinks accepts it"},
      {kOptionMaxBytes, "limits: --max-size, --max-ratio"},
      {kOptionMaxRatio, "limits: --max-size, --max-ratio"},
      {kOptionLevel, "--level"},
  };
  return *hints;
}

}  // namespace

std::string LayerUsage() {
  return absl::StrCat("usage: imagewriter layer (--input TAR | --files JSON) --output BLOB [flags]\n",
                      FlagHelp(Specs()));
}

absl::Status RunLayer(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  LayerOptions options;
  if (flags->Has("input") == flags->Has("files")) {
    return UsageError("give exactly one of --input and --files");
  }
  options.input_path = flags->Get("input");
  std::unique_ptr<FileTree> tree;
  if (flags->Has("files")) {
    absl::StatusOr<std::unique_ptr<FileTree>> read = ReadLayerFiles(flags->Get("files"));
    if (!read.ok()) return read.status();
    tree = *std::move(read);
    options.tree = tree.get();
  }
  if (flags->Has("rewrite-timestamp")) {
    absl::StatusOr<Timestamp> epoch = Timestamp::FromSourceDateEpoch(flags->Get("rewrite-timestamp"));
    if (!epoch.ok()) return WithContext("--rewrite-timestamp", epoch.status());
    options.rewrite_timestamp = epoch->unix_seconds();
  }
  options.blob_path = flags->Get("output");
  absl::StatusOr<Compression> compression = ParseCompression(flags->Get("compression", "gzip"));
  if (!compression.ok()) return compression.status();
  options.compression = *compression;
  if (flags->Has("level") && !absl::SimpleAtoi(flags->Get("level"), &options.level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--level \"", flags->Get("level"), "\" is not an integer"));
  }
  options.force_recompress = flags->GetBool("force-recompress");
  options.allow_writes_through_symlinks = flags->GetBool("allow-writes-through-symlinks");
  options.threads = DefaultThreads();
  if (flags->Has("threads") &&
      (!absl::SimpleAtoi(flags->Get("threads"), &options.threads) || options.threads < 1 ||
       options.threads > 256)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads \"", flags->Get("threads"), "\": expected 1..256"));
  }
  for (const std::string& a : flags->GetAll("annotation")) {
    absl::StatusOr<KeyValue> kv = SplitKeyValue(a);
    if (!kv.ok()) return WithContext(absl::StrCat("--annotation \"", a, "\""), kv.status());
    options.annotations[kv->key] = kv->value;
  }
  for (auto [flag, slot] : {std::pair<const char*, uint64_t*>{"max-size", &options.max_uncompressed_bytes},
                            {"max-ratio", &options.max_ratio}}) {
    if (flags->Has(flag) && !absl::SimpleAtoi(flags->Get(flag), slot)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " \"", flags->Get(flag), "\" is not a non-negative integer"));
    }
  }
  absl::StatusOr<LayerResult> result = WriteLayer(options);
  if (!result.ok()) return WithFlagHint(result.status(), LayerOptionHints());
  for (const std::string& warning : result->warnings) {
    fprintf(stderr, "imagewriter layer: warning: %s: %s\n", options.input_path.c_str(), warning.c_str());
  }

  // The blob is in place already; the descriptor, which refers to it, is
  // renamed last (see OutputSet).
  OutputSet outputs;
  outputs.Add(flags->Get("diff-id-out"), result->diff_id.ToString());
  outputs.Add(flags->Get("descriptor-out"), json::Indent(result->descriptor.ToJson()));
  absl::Status s = outputs.CommitAll();
  if (!s.ok()) unlink(options.blob_path.c_str());
  return s;
}

}  // namespace imagewriter
