// Docker image references: "[domain[:port]/]path[:tag][@digest]".
//
// Validation follows the grammar of distribution/reference (the one Docker,
// podman and skopeo use): lowercase path components separated by '.', '_',
// '__' or '-'s; a tag of up to 128 word characters, '.' or '-', not starting
// with '.' or '-'; a whole name of at most 255 characters.
#ifndef IMAGEWRITER_OCI_REFERENCE_H_
#define IMAGEWRITER_OCI_REFERENCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

struct Reference {
  std::string domain;  // Empty if none was given.
  std::string path;    // e.g. "library/app" or "app".
  std::string tag;     // Empty if none.
  std::string digest;  // Empty if none.

  // The name as written, without tag or digest.
  std::string Name() const { return domain.empty() ? path : domain + "/" + path; }
  // Docker's normalised form: docker.io/library/<x> for short names.
  std::string FamiliarToFull() const;
};

absl::StatusOr<Reference> ParseReference(absl::string_view text);

// A repo tag for an archive: a reference with a tag and no digest.
absl::StatusOr<Reference> ParseRepoTag(absl::string_view text);

}  // namespace imagewriter

#endif  // IMAGEWRITER_OCI_REFERENCE_H_
