#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/cli/flags.h"
#include "src/cli/outputs.h"
#include "src/json/writer.h"
#include "src/request/attest_request.h"

namespace imagewriter {
namespace {

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {"request", FlagSpec::Kind::kValue, true, "AttestRequest JSON (src/proto/request.proto)"},
      {"statement-out", FlagSpec::Kind::kRepeated, false,
       "statement blob output, one per statement in request order (provenance last)"},
      {"config-out", FlagSpec::Kind::kValue, false, "the empty config blob ({}) output"},
      {"manifest-out", FlagSpec::Kind::kValue, false, "attestation manifest JSON output"},
      {"descriptor-out", FlagSpec::Kind::kValue, false,
       "the manifest's descriptor for the image index (platform unknown/unknown)"},
      {"referrers-out", FlagSpec::Kind::kValue, false,
       "OCI 1.1 referrers index for the fallback tag"},
      {"referrers-descriptor-out", FlagSpec::Kind::kValue, false, "the referrers index's descriptor"},
      {"referrers-tag-out", FlagSpec::Kind::kValue, false, "the fallback tag (sha256-<hex>)"},
  };
  return *specs;
}

}  // namespace

std::string AttestUsage() {
  return absl::StrCat("usage: imagewriter attest --request FILE [outputs]\n", FlagHelp(Specs()));
}

absl::Status RunAttest(const std::vector<std::string>& args) {
  absl::StatusOr<Flags> flags = Flags::Parse(Specs(), args);
  if (!flags.ok()) return flags.status();
  absl::StatusOr<AttestationOutput> out = BuildAttestationFromRequest(flags->Get("request"));
  if (!out.ok()) return out.status();
  const std::vector<std::string> statement_files = flags->GetAll("statement-out");
  if (!statement_files.empty() && statement_files.size() != out->statements.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--statement-out: given ", statement_files.size(),
                                                   " times for ", out->statements.size(), " statements"));
  }
  const ReferrersIndex& referrers = out->referrers;
  OutputSet outputs;
  for (size_t i = 0; i < statement_files.size(); ++i) outputs.Add(statement_files[i], out->statements[i]);
  outputs.Add(flags->Get("config-out"), out->empty_config);
  outputs.Add(flags->Get("manifest-out"), out->manifest);
  outputs.Add(flags->Get("referrers-out"), referrers.index);
  outputs.Add(flags->Get("referrers-tag-out"), referrers.tag);
  outputs.Add(flags->Get("referrers-descriptor-out"), json::Indent(referrers.descriptor.ToJson()));
  outputs.Add(flags->Get("descriptor-out"), json::Indent(out->index_descriptor.ToJson()));
  return outputs.CommitAll();
}

}  // namespace imagewriter
