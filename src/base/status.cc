#include "src/base/status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {

absl::Status WithContext(absl::string_view context, const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&out](absl::string_view type_url, const absl::Cord& payload) {
    out.SetPayload(type_url, payload);
  });
  return out;
}

absl::Status WithOption(absl::string_view option, absl::Status status) {
  if (!status.ok()) status.SetPayload(kOptionPayload, absl::Cord(option));
  return status;
}

std::string OptionOf(const absl::Status& status) {
  auto option = status.GetPayload(kOptionPayload);
  return option ? std::string(*option) : std::string();
}

}  // namespace imagewriter
