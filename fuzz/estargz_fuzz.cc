// Fuzzes the eStargz encoder and the recognition of an eStargz blob.
//
// The encoder must refuse what the tar reader refuses and otherwise keep
// its promises on any tar: the blob inflates to the input then the TOC's
// tar, the footer names the TOC member, and recognition finds the TOC it
// wrote, and the TOC verifier a pass-through runs accepts the blob.
// Recognition, and the verifier when it recognises one, also run on the
// raw input, which must never crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "src/compress/compression.h"
#include "src/estargz/estargz_reader.h"
#include "src/estargz/estargz_writer.h"
#include "src/estargz/footer.h"
#include "src/estargz/toc_verifier.h"

namespace {

using imagewriter::StringSink;

// The bytes as a file, for recognition (which reads by offset).
std::optional<imagewriter::EstargzBlob> Detect(const std::string& bytes) {
  const int fd = memfd_create("estargz_fuzz", 0);
  if (fd < 0) return std::nullopt;
  std::optional<imagewriter::EstargzBlob> found;
  if (write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) {
    absl::StatusOr<std::optional<imagewriter::EstargzBlob>> r = imagewriter::DetectEstargz(fd, "fuzz");
    if (r.ok()) found = *r;
  }
  close(fd);
  return found;
}

// Streams the bytes through the verifier, as a pass-through does.
bool Verifies(const imagewriter::EstargzBlob& found, const std::string& bytes) {
  imagewriter::EstargzVerifier verifier(found);
  std::unique_ptr<imagewriter::ByteSink> decoder = imagewriter::NewGzipDecoder(
      &verifier, [&verifier](uint64_t at) { verifier.OnMember(at); });
  return verifier.compressed()->Append(bytes).ok() && decoder->Append(bytes).ok() &&
         decoder->Finish().ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (std::optional<imagewriter::EstargzBlob> raw = Detect(input)) (void)Verifies(*raw, input);
  StringSink blob;
  imagewriter::EstargzEncoder encoder(&blob, size > 0 ? data[0] % 3 : 0, 2);
  const size_t split = size > 1 ? data[1] % (size + 1) : 0;
  if (!encoder.Append(absl::string_view(input).substr(0, split)).ok() ||
      !encoder.Append(absl::string_view(input).substr(split)).ok() || !encoder.Finish().ok()) {
    return 0;
  }
  StringSink plain;
  std::unique_ptr<imagewriter::ByteSink> decoder =
      imagewriter::NewDecoder(imagewriter::Compression::kGzip, &plain);
  if (!decoder->Append(blob.data()).ok() || !decoder->Finish().ok()) __builtin_trap();
  if (plain.data().compare(0, input.size(), input) != 0) __builtin_trap();
  if (plain.data().size() != encoder.info().uncompressed_size) __builtin_trap();
  const std::string& b = blob.data();
  if (b.size() < imagewriter::estargz::kFooterSize ||
      !imagewriter::estargz::ParseFooter(b.substr(b.size() - imagewriter::estargz::kFooterSize)).ok()) {
    __builtin_trap();
  }
  std::optional<imagewriter::EstargzBlob> found = Detect(b);
  if (!found || found->toc_digest != encoder.info().toc_digest) __builtin_trap();
  if (!Verifies(*found, b)) __builtin_trap();
  return 0;
}
