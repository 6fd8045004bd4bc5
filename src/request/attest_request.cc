#include "src/request/attest_request.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/digest/sha256_sink.h"
#include "src/io/file.h"
#include "src/layout/descriptor_file.h"
#include "src/proto/request.pb.h"
#include "src/request/request_file.h"
#include "src/writer/provenance.h"

namespace imagewriter {
namespace {

absl::StatusOr<ProvenanceDependency> ReadDependency(const proto::ProvenanceDependency& in,
                                                    const std::string& where) {
  ProvenanceDependency out;
  out.name = in.name();
  if (in.descriptor_file().empty() == in.file().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": a provenance dependency needs exactly one of descriptorFile and file"));
  }
  if (!in.descriptor_file().empty()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(in.descriptor_file());
    if (!d.ok()) return d.status();
    out.digest = d->digest;
    out.media_type = d->media_type;
    return out;
  }
  Sha256Sink hash;
  absl::Status s = StreamFile(in.file(), &hash);
  if (s.ok()) s = hash.Finish();
  if (!s.ok()) return WithContext(in.file(), s);
  out.digest = hash.digest();
  return out;
}

absl::StatusOr<Statement> Provenance(const proto::ProvenanceRequest& in, const std::string& path) {
  ProvenanceSpec spec;
  spec.target = in.target();
  spec.builder_id = in.builder_id();
  if (spec.target.empty() || spec.builder_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": provenance needs a target and a builderId"));
  }
  // "target" is the label's own key in externalParameters; a parameter of
  // that name would silently lose to it, so it is refused.
  if (in.parameters().count("target") != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": provenance.parameters: \"target\" is reserved for provenance.target"));
  }
  spec.parameters.insert(in.parameters().begin(), in.parameters().end());
  for (int i = 0; i < in.dependencies_size(); ++i) {
    absl::StatusOr<ProvenanceDependency> d =
        ReadDependency(in.dependencies(i), absl::StrCat(path, ": provenance.dependencies[", i, "]"));
    if (!d.ok()) return d.status();
    spec.dependencies.push_back(*std::move(d));
  }
  return Statement{"built-in provenance", BuildProvenance(spec)};
}

}  // namespace

absl::StatusOr<AttestationSpec> ReadAttestRequest(const std::string& path) {
  proto::AttestRequest request;
  absl::Status s = ReadRequestFile(path, &request);
  if (!s.ok()) return s;
  if (request.subject().empty()) return absl::InvalidArgumentError(path + ": subject: required");
  AttestationSpec spec;
  absl::StatusOr<Descriptor> subject = ReadDescriptorFile(request.subject());
  if (!subject.ok()) return subject.status();
  spec.subject = *std::move(subject);
  for (const std::string& file : request.statements()) {
    absl::StatusOr<std::string> text = ReadFileToString(file, kMaxStatementBytes);
    if (!text.ok()) return WithContext(file, text.status());
    spec.statements.push_back({file, *std::move(text)});
  }
  if (request.has_provenance()) {
    absl::StatusOr<Statement> provenance = Provenance(request.provenance(), path);
    if (!provenance.ok()) return provenance.status();
    spec.statements.push_back(*std::move(provenance));
  }
  return spec;
}

absl::StatusOr<AttestationOutput> BuildAttestationFromRequest(const std::string& path) {
  absl::StatusOr<AttestationSpec> spec = ReadAttestRequest(path);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<AttestationOutput> out = BuildAttestation(*spec);
  if (!out.ok()) return WithContext(path, out.status());
  return out;
}

}  // namespace imagewriter
