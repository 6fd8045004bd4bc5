// Fuzzes the strict JSON parser and the Go-compatible writer, and the
// protobuf request parsing behind it. Invariant: what the writer emits, the
// parser accepts, and writing it again gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "google/protobuf/util/json_util.h"
#include "src/json/parser.h"
#include "src/json/writer.h"
#include "src/proto/request.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<imagewriter::json::Value> v = imagewriter::json::Parse(text, "fuzz");
  if (!v.ok()) return 0;
  const std::string compact = imagewriter::json::Compact(*v);
  const std::string indented = imagewriter::json::Indent(*v);
  for (const std::string& out : {compact, indented}) {
    absl::StatusOr<imagewriter::json::Value> again = imagewriter::json::Parse(out, "fuzz-again");
    if (!again.ok()) abort();  // The writer produced something the parser rejects.
    if (imagewriter::json::Compact(*again) != compact) abort();
  }
  imagewriter::proto::ImageRequest request;
  (void)google::protobuf::util::JsonStringToMessage(text, &request);
  return 0;
}
