#include "src/request/request_file.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "src/base/status.h"
#include "src/io/file.h"
#include "src/json/parser.h"
#include "src/request/schema_check.h"

namespace imagewriter {

absl::Status ReadRequestFile(const std::string& path, google::protobuf::Message* message) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<json::Value> strict = json::Parse(*text, path);
  if (!strict.ok()) return strict.status();
  const std::string invalid = absl::StrCat(path, ": invalid request");
  absl::Status s = CheckAgainstSchema(*strict, *message->GetDescriptor());
  if (!s.ok()) return WithContext(invalid, s);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto converted = google::protobuf::util::JsonStringToMessage(*text, message, options);
  if (!converted.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(invalid, ": ", std::string(converted.message())));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
