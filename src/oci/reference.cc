#include "src/oci/reference.h"

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace imagewriter {
namespace {

const RE2& ReferenceGrammar() {
  static const RE2* const kGrammar = [] {
    const std::string component = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    const std::string domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    // distribution/reference's host: a domain name, or an IPv6 address in
    // brackets ("[::1]:5000"), as skopeo and docker accept.
    const std::string host = absl::StrCat("(?:", domain_component, "(?:\\.", domain_component,
                                          ")*|\\[[a-fA-F0-9:]+\\])");
    const std::string domain = absl::StrCat(host, "(?::[0-9]+)?");
    const std::string path = absl::StrCat(component, "(?:/", component, ")*");
    const std::string tag = "[\\w][\\w.-]{0,127}";
    const std::string digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    // A first component that looks like a domain (has '.' or ':', or is
    // "localhost") is the domain.
    return new RE2(absl::StrCat("(?:(", domain, ")/)?(", path, ")(?::(", tag, "))?(?:@(", digest,
                                "))?"));
  }();
  return *kGrammar;
}

}  // namespace

std::string Reference::FamiliarToFull() const {
  std::string d = domain.empty() ? "docker.io" : domain;
  std::string p = path;
  if (d == "docker.io" && p.find('/') == std::string::npos) p = "library/" + p;
  return absl::StrCat(d, "/", p);
}

absl::StatusOr<Reference> ParseReference(absl::string_view text) {
  Reference r;
  std::string domain;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), ReferenceGrammar(), &domain,
                      &r.path, &r.tag, &r.digest)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid image reference \"", text,
        "\": expected [registry[:port]/]lowercase/path[:tag][@digest]"));
  }
  // "localhost/x" and "a.b/x" have a domain; "team/x" does not. The regex
  // may take a plain first component as a domain, so decide here.
  if (!domain.empty() && domain.find_first_of(".:") == std::string::npos && domain != "localhost") {
    if (domain.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid image reference \"", text,
                                                     "\": repository names must be lowercase"));
    }
    r.path = absl::StrCat(domain, "/", r.path);
    domain.clear();
  }
  r.domain = domain;
  if (r.Name().size() > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid image reference \"", text, "\": name longer than 255 characters"));
  }
  return r;
}

absl::StatusOr<Reference> ParseRepoTag(absl::string_view text) {
  absl::StatusOr<Reference> r = ParseReference(text);
  if (!r.ok()) return r.status();
  if (r->tag.empty() || !r->digest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid repo tag \"", text, "\": expected name:tag, without a digest"));
  }
  return r;
}

}  // namespace imagewriter
