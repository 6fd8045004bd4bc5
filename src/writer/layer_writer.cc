#include "src/writer/layer_writer.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/digest/sha256_sink.h"
#include "src/io/file.h"
#include "src/oci/media_types.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace {

constexpr size_t kReadChunk = 1 << 20;

absl::Status WithInput(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace

absl::StatusOr<LayerResult> WriteLayer(const LayerOptions& options) {
  const int level =
      options.level < 0 ? DefaultLevel(options.compression) : options.level;
  absl::Status status = CheckLevel(options.compression, level);
  if (!status.ok()) return status;

  absl::StatusOr<InputFile> input = InputFile::Open(options.input_path);
  if (!input.ok()) return input.status();
  std::vector<char> buffer(kReadChunk);
  absl::StatusOr<size_t> got = input->Read(buffer.data(), buffer.size());
  if (!got.ok()) return got.status();
  // A short first read is fine for detection: 4 bytes decide it.
  const Compression input_compression =
      DetectCompression(absl::string_view(buffer.data(), *got));
  const bool pass_through =
      input_compression == options.compression && !options.force_recompress;

  absl::StatusOr<AtomicFile> blob = AtomicFile::Create(options.blob_path);
  if (!blob.ok()) return blob.status();

  // Blob side: what ends up in the blob file is hashed on its way there.
  Sha256Sink blob_hash;
  TeeSink blob_out({&*blob, &blob_hash});
  // Tar side: the uncompressed stream is validated and hashed for the diffID.
  Sha256Sink diff_hash;
  TarReader tar;
  std::unique_ptr<ByteSink> encoder;
  std::vector<ByteSink*> tar_sinks = {&tar, &diff_hash};
  if (!pass_through) {
    encoder = NewEncoder(options.compression, level, &blob_out);
    tar_sinks.push_back(encoder.get());
  }
  TeeSink uncompressed(tar_sinks);
  std::unique_ptr<ByteSink> decoder = NewDecoder(input_compression, &uncompressed);
  std::vector<ByteSink*> raw_sinks = {decoder.get()};
  if (pass_through) raw_sinks.push_back(&blob_out);
  TeeSink raw(raw_sinks);

  while (*got > 0) {
    status = raw.Append(absl::string_view(buffer.data(), *got));
    if (!status.ok()) return WithInput(options.input_path, status);
    got = input->Read(buffer.data(), buffer.size());
    if (!got.ok()) return got.status();
  }
  // Finish in stream order: decoder (flushes into the tar side), then the tar
  // side (which finishes the encoder into the blob side), then the blob side.
  for (ByteSink* sink : {static_cast<ByteSink*>(decoder.get()),
                         static_cast<ByteSink*>(&uncompressed),
                         static_cast<ByteSink*>(&blob_hash)}) {
    status = sink->Finish();
    if (!status.ok()) return WithInput(options.input_path, status);
  }
  status = blob->Commit();
  if (!status.ok()) return status;

  LayerResult result;
  absl::StatusOr<std::string> media_type =
      LayerMediaType(MediaFlavor::kOci, options.compression);
  if (!media_type.ok()) return media_type.status();
  result.descriptor.media_type = *media_type;
  result.descriptor.digest = blob_hash.digest();
  result.descriptor.size = static_cast<int64_t>(blob_hash.size());
  result.descriptor.annotations = options.annotations;
  result.diff_id = diff_hash.digest();
  result.input_compression = input_compression;
  result.passed_through = pass_through;
  return result;
}

}  // namespace imagewriter
