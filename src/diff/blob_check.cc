#include "src/diff/blob_check.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "src/digest/digest_sink.h"

namespace imagewriter {

absl::Status CheckDigest(const BlobSource& source, const std::string& name, const Digest& want,
                         const Digest& got) {
  if (got == want) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(source.Describe(name), ": content hashes to ", got.ToString(),
                                          ", not to ", want.ToString(), " as its descriptor says"));
}

absl::Status CheckBytes(const BlobSource& source, const std::string& name, const Digest& want,
                        absl::string_view bytes) {
  return CheckDigest(source, name, want, DigestSink::Of(want.algorithm(), bytes));
}

absl::Status VerifyBlob(const BlobSource& source, const std::string& name, const Digest& want,
                        ByteSink* also) {
  DigestSink hash(want.algorithm());
  std::vector<ByteSink*> sinks = {&hash};
  if (also != nullptr) sinks.push_back(also);
  TeeSink both(sinks);
  absl::Status s = source.Stream(name, &both);
  if (s.ok()) s = both.Finish();
  if (!s.ok()) return s;
  return CheckDigest(source, name, want, hash.digest());
}

}  // namespace imagewriter
