#include "src/writer/layer_writer.h"

#include <future>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/compress/decompression_guard.h"
#include "src/digest/sha256_sink.h"
#include "src/io/file.h"
#include "src/oci/media_types.h"
#include "src/tar/path_safety.h"
#include "src/tar/tar_reader.h"
#include "src/tar/timestamp_clamp.h"

namespace imagewriter {
namespace {

constexpr size_t kReadChunk = 1 << 20;

}  // namespace

absl::StatusOr<LayerResult> WriteLayer(const LayerOptions& options) {
  const int level =
      options.level < 0 ? DefaultLevel(options.compression) : options.level;
  absl::Status status = CheckLevel(options.compression, level);
  if (!status.ok()) return status;
  const std::string& what = options.tree != nullptr ? options.blob_path : options.input_path;

  std::optional<InputFile> input;
  std::vector<char> buffer;
  size_t got = 0;
  Compression input_compression = Compression::kNone;
  if (options.tree == nullptr) {
    absl::StatusOr<InputFile> opened = InputFile::Open(options.input_path);
    if (!opened.ok()) return opened.status();
    input.emplace(*std::move(opened));
    buffer.resize(kReadChunk);
    // 4 bytes decide the compression; a pipe may deliver fewer at a time.
    while (got < 4) {
      absl::StatusOr<size_t> read = input->Read(buffer.data() + got, buffer.size() - got);
      if (!read.ok()) return read.status();
      if (*read == 0) break;  // The whole input is shorter.
      got += *read;
    }
    input_compression = DetectCompression(absl::string_view(buffer.data(), got));
  }
  const bool pass_through = options.tree == nullptr && input_compression == options.compression &&
                            !options.force_recompress && !options.rewrite_timestamp;

  absl::StatusOr<AtomicFile> blob = AtomicFile::Create(options.blob_path);
  if (!blob.ok()) return blob.status();

  // Blob side: what ends up in the blob file is hashed on its way there.
  // A passthrough blob is the input's bytes, copied by the kernel (or
  // reflinked) on a second thread while this one decodes and hashes; an
  // uncompressed passthrough's blob digest is its diffID: one hash, not two.
  // A pipe (stdin, a FIFO) has no offsets to copy from, and a second
  // reader would take bytes from this one: a passthrough from a pipe writes
  // the bytes this thread reads into the blob as it goes.
  const bool same_bytes = pass_through && input_compression == Compression::kNone;
  const bool kernel_copy = pass_through && input->regular();
  std::future<absl::StatusOr<uint64_t>> copy;  // Joined before `blob` goes.
  if (kernel_copy) {
    copy = std::async(std::launch::async, [&blob, &input] { return blob->CopyFrom(*input); });
  }
  Sha256Sink blob_hash;
  std::vector<ByteSink*> blob_sinks;
  if (!kernel_copy) blob_sinks.push_back(&*blob);
  if (!same_bytes) blob_sinks.push_back(&blob_hash);
  TeeSink blob_out(blob_sinks);
  // Tar side: the uncompressed layer is validated and hashed for the diffID,
  // and, unless the input bytes pass through, encoded into the blob.
  Sha256Sink diff_hash;
  PathSafety safety(options.allow_writes_through_symlinks);
  TarReader tar = options.tree != nullptr
                      ? TarReader()
                      : TarReader([&safety](const TarEntry& e) { return safety.Check(e); });
  std::unique_ptr<ByteSink> encoder;
  std::vector<ByteSink*> tar_sinks = {&tar, &diff_hash};
  if (!pass_through) {
    encoder = NewEncoder(options.compression, level, &blob_out, options.threads);
    tar_sinks.push_back(encoder.get());
  }
  TeeSink tar_side(tar_sinks);
  ByteSink* tar_entry = &tar_side;
  std::unique_ptr<TimestampClamp> clamp;
  if (options.rewrite_timestamp) {
    clamp = std::make_unique<TimestampClamp>(*options.rewrite_timestamp, &tar_side);
    tar_entry = clamp.get();
  }

  std::vector<ByteSink*> finish_order;
  std::unique_ptr<ByteSink> decoder;
  CountingSink compressed;
  DecompressionGuard guard({options.max_uncompressed_bytes, options.max_ratio}, &compressed, tar_entry);
  if (options.tree != nullptr) {
    status = options.tree->Write(tar_entry);
    if (!status.ok()) return status;
  } else {
    decoder = NewDecoder(input_compression, &guard);
    std::vector<ByteSink*> raw_sinks = {&compressed, decoder.get()};
    if (pass_through) raw_sinks.push_back(&blob_out);
    TeeSink raw(raw_sinks);
    while (got > 0) {
      status = raw.Append(absl::string_view(buffer.data(), got));
      if (!status.ok()) return WithContext(what, status);
      absl::StatusOr<size_t> next = input->Read(buffer.data(), buffer.size());
      if (!next.ok()) return next.status();
      got = *next;
    }
    finish_order.push_back(decoder.get());
  }
  // Finish in stream order: the decoder (flushes into the tar side), the
  // clamp, the tar side (finishing the encoder into the blob side), the blob.
  if (clamp) finish_order.push_back(clamp.get());
  finish_order.push_back(&tar_side);
  if (!same_bytes) finish_order.push_back(&blob_hash);
  for (ByteSink* sink : finish_order) {
    status = sink->Finish();
    if (!status.ok()) return WithContext(what, status);
  }
  if (copy.valid()) {
    absl::StatusOr<uint64_t> copied = copy.get();
    if (!copied.ok()) return copied.status();
    if (*copied != compressed.count()) {
      return absl::DataLossError(absl::StrCat(what, ": changed while being read (copied ", *copied,
                                              " bytes, read ", compressed.count(), ")"));
    }
  }
  status = blob->Commit();
  if (!status.ok()) return status;

  LayerResult result;
  absl::StatusOr<std::string> media_type =
      LayerMediaType(MediaFlavor::kOci, options.compression);
  if (!media_type.ok()) return media_type.status();
  result.descriptor.media_type = *media_type;
  const Sha256Sink& blob_digest = same_bytes ? diff_hash : blob_hash;
  result.descriptor.digest = blob_digest.digest();
  result.descriptor.size = static_cast<int64_t>(blob_digest.size());
  result.descriptor.annotations = options.annotations;
  result.diff_id = diff_hash.digest();
  result.input_compression = input_compression;
  result.passed_through = pass_through;
  result.warnings = safety.Warnings();
  return result;
}

}  // namespace imagewriter
