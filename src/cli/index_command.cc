#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/cli/request_reader.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"request", FlagSpec::Kind::kValue, true, "IndexRequest JSON (src/proto/request.proto)"},
      {"index-out", FlagSpec::Kind::kValue, false, "index JSON output"},
      {"descriptor-out", FlagSpec::Kind::kValue, false, "index descriptor JSON output"},
      {"digest-out", FlagSpec::Kind::kValue, false, "index digest output (sha256:...)"},
  };
  return *specs;
}

}  // namespace

std::string IndexUsage() {
  return absl::StrCat("usage: imagewriter index --request FILE [outputs]\n", FlagHelp(Specs()));
}

absl::Status RunIndex(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  absl::StatusOr<IndexSpec> spec = ReadIndexRequest(flags->Get("request"));
  if (!spec.ok()) return spec.status();
  absl::StatusOr<IndexOutput> index = BuildIndex(*spec);
  if (!index.ok()) {
    return WithContext(flags->Get("request"), index.status());
  }
  OutputSet outputs;
  outputs.Add(flags->Get("index-out"), index->index);
  outputs.Add(flags->Get("descriptor-out"), json::Indent(index->descriptor.ToJson()));
  outputs.Add(flags->Get("digest-out"), index->descriptor.digest.ToString());
  return outputs.CommitAll();
}

}  // namespace imagewriter
