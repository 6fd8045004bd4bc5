// Fuzzes the small parsers: digests, references, platforms, timestamps,
// descriptors. Invariant: a parsed digest prints back as its input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "src/json/parser.h"
#include "src/oci/descriptor.h"
#include "src/oci/platform.h"
#include "src/oci/reference.h"
#include "src/oci/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagewriter;  // NOLINT
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Digest> d = Digest::Parse(text);
  if (d.ok() && d->ToString() != text) abort();
  (void)ParseReference(text);
  (void)ParseRepoTag(text);
  (void)Platform::Parse(text);
  absl::StatusOr<Timestamp> t = Timestamp::Parse(text);
  if (t.ok() && !Timestamp::Parse(t->Format()).ok()) abort();
  (void)Timestamp::FromSourceDateEpoch(text);
  absl::StatusOr<json::Value> v = json::Parse(text, "fuzz");
  if (v.ok()) (void)Descriptor::FromJson(*v, "fuzz");
  return 0;
}
