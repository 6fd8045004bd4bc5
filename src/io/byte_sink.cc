#include "src/io/byte_sink.h"

namespace imagewriter {

absl::Status TeeSink::Append(absl::string_view data) {
  for (ByteSink* sink : sinks_) {
    absl::Status status = sink->Append(data);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status TeeSink::Finish() {
  for (ByteSink* sink : sinks_) {
    absl::Status status = sink->Finish();
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
