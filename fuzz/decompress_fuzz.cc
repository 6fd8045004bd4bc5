// Fuzzes compression detection and the gzip/zstd decoders, with output
// capped so that a bomb in the corpus cannot exhaust memory or time.
#include <cstddef>
#include <cstdint>

#include "src/compress/compression.h"

namespace {

class CappedSink : public imagewriter::ByteSink {
 public:
  absl::Status Append(absl::string_view data) override {
    total_ += data.size();
    return total_ > (64u << 20) ? absl::ResourceExhaustedError("cap") : absl::OkStatus();
  }

 private:
  size_t total_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const imagewriter::Compression detected = imagewriter::DetectCompression(input);
  for (imagewriter::Compression c : {detected, imagewriter::Compression::kGzip,
                                     imagewriter::Compression::kZstd}) {
    CappedSink sink;
    std::unique_ptr<imagewriter::ByteSink> decoder = imagewriter::NewDecoder(c, &sink);
    if (decoder->Append(input).ok()) (void)decoder->Finish();
  }
  return 0;
}
