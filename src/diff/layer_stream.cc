#include "src/diff/layer_stream.h"

#include <memory>
#include <vector>

#include "src/base/status.h"
#include "src/compress/compression.h"
#include "src/diff/blob_check.h"
#include "src/digest/digest_sink.h"
#include "src/digest/sha256_sink.h"

namespace imagewriter {
namespace {

// Collects the records of the last PAX 'x' header, which TarReader applies
// to the next entry but does not report whole.
class PaxTracker {
 public:
  absl::Status OnSegment(TarReader::Segment kind, absl::string_view bytes,
                         const tar_header::Header* header) {
    if (kind == TarReader::Segment::kHeader) {
      if (header->type == 'x' || header->type == 'g') raw_.clear();
      collecting_ = header->type == 'x';
    } else if (kind == TarReader::Segment::kRecord && collecting_) {
      raw_.append(bytes.data(), bytes.size());
    }
    return absl::OkStatus();
  }
  // The records for the entry just reported; forgets them.
  absl::StatusOr<tar_header::PaxRecords> Take() {
    tar_header::PaxRecords records;
    absl::Status s = tar_header::ParsePaxRecords(raw_, &records);
    raw_.clear();
    collecting_ = false;
    if (!s.ok()) return s;
    return records;
  }

 private:
  bool collecting_ = false;
  std::string raw_;
};

// Forwards to the decoding pipeline until that fails, then takes the rest
// of the blob unread, so that the blob's hash still sees every byte: a
// tampered blob is reported as such, not as the tar or codec error its
// change caused.
class Latch : public ByteSink {
 public:
  explicit Latch(ByteSink* next) : next_(next) {}
  absl::Status Append(absl::string_view data) override {
    if (status_.ok()) status_ = next_->Append(data);
    return absl::OkStatus();
  }
  absl::Status Finish() override {
    if (status_.ok()) status_ = next_->Finish();
    return absl::OkStatus();
  }
  const absl::Status& status() const { return status_; }

 private:
  ByteSink* next_;
  absl::Status status_;
};

}  // namespace

absl::Status StreamLayer(const LayerBlob& blob, const DecompressionLimits& limits,
                         const LayerCallbacks& callbacks, LayerFacts* facts) {
  const BlobSource& source = *blob.source;
  absl::StatusOr<std::string> magic = source.ReadPrefix(blob.name, 4);
  if (!magic.ok()) return magic.status();
  facts->compression = DetectCompression(*magic);
  PaxTracker pax;
  bool in_entry = false;
  TarReader tar([&](const TarEntry& e) {
    absl::StatusOr<tar_header::PaxRecords> records = pax.Take();
    if (!records.ok()) return records.status();
    in_entry = true;
    return callbacks.on_entry ? callbacks.on_entry(e, *records) : absl::OkStatus();
  });
  tar.set_segment_callback([&](TarReader::Segment kind, absl::string_view bytes,
                               const tar_header::Header* header) {
    if (kind == TarReader::Segment::kData && in_entry && callbacks.on_data) return callbacks.on_data(bytes);
    if (kind == TarReader::Segment::kHeader) in_entry = false;
    return pax.OnSegment(kind, bytes, header);
  });
  Sha256Sink diff_hash;
  TeeSink uncompressed({&tar, &diff_hash});
  CountingSink compressed;
  DecompressionGuard guard(limits, &compressed, &uncompressed);
  std::unique_ptr<ByteSink> decoder = NewDecoder(facts->compression, &guard);
  TeeSink decoding({&compressed, decoder.get()});
  Latch latch(&decoding);
  DigestSink blob_hash(blob.digest.algorithm());
  TeeSink raw(blob.checked ? std::vector<ByteSink*>{&latch} : std::vector<ByteSink*>{&blob_hash, &latch});
  absl::Status s = source.Stream(blob.name, &raw);
  if (s.ok()) s = raw.Finish();
  if (!s.ok()) return WithContext(source.Describe(blob.name), s);
  if (!blob.checked) s = CheckDigest(source, blob.name, blob.digest, blob_hash.digest());
  if (!s.ok()) return s;
  if (!latch.status().ok()) return WithContext(source.Describe(blob.name), latch.status());
  facts->diff_id = diff_hash.digest();
  return absl::OkStatus();
}

}  // namespace imagewriter
