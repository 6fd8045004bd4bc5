// Reading an eStargz TOC: its tar (TocTarSink) and its JSON (ParseToc),
// into the entries a pass-through checks against the blob's own tar
// (toc_verifier.h).
//
// ParseToc is stricter than Go's encoding/json, which stargz-snapshotter
// reads the TOC with, wherever lax reading would let the two of us see
// different entries:
//   - Keys are exactly JTOC's and TOCEntry's JSON names (toc.h). Go would
//     also take "Name" or "NAME" (it matches keys case-insensitively, with
//     Unicode folding) and ignore unknown keys, so any other key is refused.
//     "innerOffset" (estargz v0.13+) is accepted only as 0: older readers
//     ignore it, newer ones shift the chunk by it.
//   - Values have the field's JSON type; null is refused (Go reads it as
//     zero); integers are integer text within int64; xattr values are
//     base64 in Go's encoding (standard alphabet, padded), nothing else.
//   - "version" is 1 and "entries" an array of objects, or null.
// Memory: the JSON is parsed one entry at a time (json::ParseStreamed), and
// the entries may take at most max_memory bytes as TocEntryMemory counts
// them (the vector's spare capacity aside): an entry takes several times
// its JSON in memory. The encoder holds its entries to the same count.
#ifndef IMAGEWRITER_ESTARGZ_TOC_PARSE_H_
#define IMAGEWRITER_ESTARGZ_TOC_PARSE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/estargz/toc.h"
#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace estargz {

// The TOC's tar, decoded: collects the JSON of its one file. Decoding stops
// with an error at a second entry, at a first one of another name (either:
// not what Is() calls eStargz), or at JSON over max_json bytes.
class TocTarSink : public ByteSink {
 public:
  explicit TocTarSink(uint64_t max_json);
  absl::Status Append(absl::string_view data) override { return tar_.Append(data); }
  absl::Status Finish() override { return tar_.Finish(); }

  // Whether the tar so far is eStargz's: one entry, stargz.index.json.
  bool is_toc() const { return entries_ == 1 && name_ == kTocTarName; }
  // Whether it can no longer be (decoding then stopped).
  bool not_toc() const { return entries_ > 1 || (entries_ == 1 && name_ != kTocTarName); }
  std::string& json() { return json_; }

 private:
  TarReader tar_;
  int entries_ = 0;
  std::string name_;
  std::string json_;
};

// Errors name the entry by its index ("entries[3]") and the key.
absl::StatusOr<std::vector<TocEntry>> ParseToc(std::string json,
                                               uint64_t max_memory = kMaxTocMemoryBytes);

}  // namespace estargz
}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_TOC_PARSE_H_
