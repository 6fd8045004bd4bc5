#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/json/writer.h"
#include "src/request/index_request.h"

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
  absl::StatusOr<IndexOutput> index = BuildIndexFromRequest(flags->Get("request"));
  if (!index.ok()) return index.status();
  OutputSet outputs;
  outputs.Add(flags->Get("index-out"), index->index);
  outputs.Add(flags->Get("descriptor-out"), json::Indent(index->descriptor.ToJson()));
  outputs.Add(flags->Get("digest-out"), index->descriptor.digest.ToString());
  return outputs.CommitAll();
}

}  // namespace imagewriter
