#include "src/writer/layer_writer.h"

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/status.h"
#include "src/compress/decompression_guard.h"
#include "src/digest/sha256_sink.h"
#include "src/estargz/estargz_reader.h"
#include "src/estargz/estargz_writer.h"
#include "src/estargz/toc_verifier.h"
#include "src/io/file.h"
#include "src/oci/media_types.h"
#include "src/tar/path_safety.h"
#include "src/tar/tar_reader.h"
#include "src/tar/timestamp_clamp.h"

namespace imagewriter {
namespace {

constexpr size_t kReadChunk = 1 << 20;

// A tar input, opened, with its first bytes read: they decide its
// compression, and are the first to pass on.
struct Input {
  std::optional<InputFile> file;
  std::vector<char> buffer;
  size_t got = 0;  // Bytes at the start of buffer read and not yet passed on.
  Compression compression = Compression::kNone;
  std::optional<EstargzBlob> estargz;  // Set when compression is kEstargz.
};

// An eStargz blob is gzip by its magic; only its footer and TOC tell, read
// by offset, so a piped input is taken for plain gzip. Only asked when the
// layer is to be eStargz: for any other output the TOC is just data after
// the tar's end.
absl::Status DetectEstargzInput(Input* input) {
  if (input->compression != Compression::kGzip || !input->file->regular()) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<EstargzBlob>> blob =
      DetectEstargz(input->file->fd(), input->file->path());
  if (!blob.ok()) return blob.status();
  if (blob->has_value()) {
    input->compression = Compression::kEstargz;
    input->estargz = **blob;
  }
  return absl::OkStatus();
}

absl::StatusOr<Input> OpenInput(const std::string& path) {
  absl::StatusOr<InputFile> opened = InputFile::Open(path);
  if (!opened.ok()) return opened.status();
  Input input;
  input.file.emplace(*std::move(opened));
  input.buffer.resize(kReadChunk);
  // 4 bytes decide the compression; a pipe may deliver fewer at a time.
  while (input.got < 4) {
    absl::StatusOr<size_t> read =
        input.file->Read(input.buffer.data() + input.got, input.buffer.size() - input.got);
    if (!read.ok()) return read.status();
    if (*read == 0) break;  // The whole input is shorter.
    input.got += *read;
  }
  input.compression = DetectCompression(absl::string_view(input.buffer.data(), input.got));
  return input;
}

// Passes on the first `limit` bytes and drops the rest: an eStargz input
// that is re-encoded is its tar, which ends where its TOC member starts
// (as BuildKit unpacks one: estargz.Unpack stops there).
class PrefixSink : public ByteSink {
 public:
  PrefixSink(uint64_t limit, ByteSink* out) : left_(limit), out_(out) {}
  absl::Status Append(absl::string_view data) override {
    data = data.substr(0, std::min<uint64_t>(left_, data.size()));
    left_ -= data.size();
    return data.empty() ? absl::OkStatus() : out_->Append(data);
  }
  absl::Status Finish() override { return out_->Finish(); }

 private:
  uint64_t left_;
  ByteSink* out_;
};

// How the blob is made from the input.
struct Plan {
  int level = 0;
  // The input's bytes are the blob: it is already in the requested
  // compression, and nothing asks to change the tar.
  bool pass_through = false;
  // ... and uncompressed: the blob's digest is the diffID, one hash not two.
  bool same_bytes = false;
  // ... and a regular file: the kernel copies (or reflinks) it into the blob
  // on a second thread while this one decodes and hashes. A pipe has no
  // offsets to copy from, and a second reader would take bytes from this
  // one: its bytes go into the blob as this thread reads them. So do an
  // eStargz file's: its blob must be the very bytes checked against its
  // TOC, not a second read of a file that may have changed in between.
  bool kernel_copy = false;
};

Plan MakePlan(const LayerOptions& options, int level, const Input* input) {
  Plan plan;
  plan.level = level;
  plan.pass_through = input != nullptr && input->compression == options.compression &&
                      !options.force_recompress && !options.rewrite_timestamp;
  plan.same_bytes = plan.pass_through && input->compression == Compression::kNone;
  plan.kernel_copy = plan.pass_through && input->file->regular() &&
                     input->compression != Compression::kEstargz;
  return plan;
}

// The stages one layer passes through. Each forwards Finish, so finishing
// the head (raw() for a tar input, tar_entry() for a file tree) finishes
// them all in stream order:
//
//   raw ─┬─ compressed (counts input bytes for the guard's ratio)
//        ├─ decoder ─ guard ─ [clamp] ─ tar side ─┬─ tar (validates)
//        │                                        ├─ diff_hash
//        │                                        ├─ encoder ─ blob side
//        │                                        └─ [verifier]
//        ├─ [verifier's compressed side]
//        └─ blob side (when the input passes through)
//   blob side ─┬─ the blob file (unless the kernel copies it)
//              └─ blob_hash (unless the blob is the tar itself)
//
// An eStargz input passed through is checked against its TOC by the
// verifier (src/estargz/toc_verifier.h), which the gzip decoder also tells
// where each member starts.
//
// Members are declared downstream first, so each exists before the stages
// that write into it.
class Pipeline {
 public:
  Pipeline(const LayerOptions& options, const Plan& plan, AtomicFile* blob,
           const EstargzBlob* passed_estargz)
      : blob_side_(BlobSinks(plan, blob)),
        safety_(options.allow_writes_through_symlinks),
        tar_(options.tree != nullptr
                 ? TarReader()
                 : TarReader([this](const TarEntry& e) { return safety_.Check(e); })),
        encoder_(plan.pass_through ? nullptr : MakeEncoder(options, plan.level)),
        verifier_(passed_estargz != nullptr ? std::make_unique<EstargzVerifier>(*passed_estargz)
                                            : nullptr),
        tar_side_(TarSinks()),
        clamp_(options.rewrite_timestamp
                   ? std::make_unique<TimestampClamp>(*options.rewrite_timestamp, &tar_side_)
                   : nullptr),
        guard_({options.max_uncompressed_bytes, options.max_ratio}, &compressed_, tar_entry()),
        pass_through_(plan.pass_through) {}
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Where an uncompressed tar goes in.
  ByteSink* tar_entry() { return clamp_ ? static_cast<ByteSink*>(clamp_.get()) : &tar_side_; }
  // Where the input's bytes go in, as they are; only the first
  // `decode_limit` of them are decoded, when given.
  ByteSink* raw(Compression input, std::optional<uint64_t> decode_limit) {
    if (verifier_) {
      EstargzVerifier* verifier = verifier_.get();
      decoder_ = NewGzipDecoder(&guard_, [verifier](uint64_t at) { verifier->OnMember(at); });
    } else {
      decoder_ = NewDecoder(input, &guard_);
    }
    ByteSink* decode = decoder_.get();
    if (decode_limit) {
      prefix_ = std::make_unique<PrefixSink>(*decode_limit, decode);
      decode = prefix_.get();
    }
    std::vector<ByteSink*> sinks = {&compressed_, decode};
    if (verifier_) sinks.push_back(verifier_->compressed());
    if (pass_through_) sinks.push_back(&blob_side_);
    raw_ = std::make_unique<TeeSink>(std::move(sinks));
    return raw_.get();
  }

  const Sha256Sink& blob_hash() const { return blob_hash_; }
  const Sha256Sink& diff_hash() const { return diff_hash_; }
  uint64_t compressed_bytes() const { return compressed_.count(); }
  std::vector<std::string> warnings() const { return safety_.Warnings(); }
  // The eStargz encoder, when the blob is encoded as eStargz.
  const EstargzEncoder* estargz() const { return estargz_; }

 private:
  std::unique_ptr<ByteSink> MakeEncoder(const LayerOptions& options, int level) {
    if (options.compression != Compression::kEstargz) {
      return NewEncoder(options.compression, level, &blob_side_, options.threads);
    }
    auto encoder = std::make_unique<EstargzEncoder>(&blob_side_, level, options.threads);
    estargz_ = encoder.get();
    return encoder;
  }
  std::vector<ByteSink*> BlobSinks(const Plan& plan, AtomicFile* blob) {
    std::vector<ByteSink*> sinks;
    if (!plan.kernel_copy) sinks.push_back(blob);
    if (!plan.same_bytes) sinks.push_back(&blob_hash_);
    return sinks;
  }
  std::vector<ByteSink*> TarSinks() {
    std::vector<ByteSink*> sinks = {&tar_, &diff_hash_};
    if (encoder_) sinks.push_back(encoder_.get());
    if (verifier_) sinks.push_back(verifier_.get());
    return sinks;
  }

  Sha256Sink blob_hash_;
  TeeSink blob_side_;
  Sha256Sink diff_hash_;
  PathSafety safety_;
  TarReader tar_;
  EstargzEncoder* estargz_ = nullptr;  // Set by MakeEncoder; owned by encoder_.
  std::unique_ptr<ByteSink> encoder_;
  std::unique_ptr<EstargzVerifier> verifier_;
  TeeSink tar_side_;
  std::unique_ptr<TimestampClamp> clamp_;
  CountingSink compressed_;
  DecompressionGuard guard_;
  std::unique_ptr<ByteSink> decoder_;
  std::unique_ptr<ByteSink> prefix_;
  std::unique_ptr<TeeSink> raw_;
  bool pass_through_;
};

// Passes the whole input, from the bytes already read, into `raw` and
// finishes it. The stages' errors describe the data; they get the input's
// name here (read errors have it already).
absl::Status Feed(Input* input, ByteSink* raw) {
  const std::string& path = input->file->path();
  while (input->got > 0) {
    absl::Status status = raw->Append(absl::string_view(input->buffer.data(), input->got));
    if (!status.ok()) return WithContext(path, status);
    absl::StatusOr<size_t> next = input->file->Read(input->buffer.data(), input->buffer.size());
    if (!next.ok()) return next.status();
    input->got = *next;
  }
  return WithContext(path, raw->Finish());
}

// Waits for the kernel's copy into the blob, which must hold what this
// thread read: an input that changes while being read is refused.
absl::Status JoinCopy(std::future<absl::StatusOr<uint64_t>>* copy, uint64_t read,
                      const std::string& what) {
  absl::StatusOr<uint64_t> copied = copy->get();
  if (!copied.ok()) return copied.status();
  if (*copied != read) {
    return absl::DataLossError(absl::StrCat(what, ": changed while being read (copied ", *copied,
                                            " bytes, read ", read, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LayerResult> Describe(const LayerOptions& options, const Plan& plan,
                                     const Pipeline& pipeline, Compression input_compression,
                                     const std::optional<EstargzBlob>& input_estargz) {
  absl::StatusOr<std::string> media_type = LayerMediaType(MediaFlavor::kOci, options.compression);
  if (!media_type.ok()) return media_type.status();
  LayerResult result;
  result.descriptor.media_type = *media_type;
  const Sha256Sink& blob = plan.same_bytes ? pipeline.diff_hash() : pipeline.blob_hash();
  result.descriptor.digest = blob.digest();
  result.descriptor.size = static_cast<int64_t>(blob.size());
  result.descriptor.annotations = options.annotations;
  result.diff_id = pipeline.diff_hash().digest();
  // eStargz's annotations describe the blob, so they win over given ones.
  if (pipeline.estargz() != nullptr) {
    const EstargzInfo& info = pipeline.estargz()->info();
    result.diff_id = info.diff_id;
    for (const auto& [key, value] : info.Annotations()) result.descriptor.annotations[key] = value;
  } else if (plan.pass_through && input_estargz) {
    EstargzInfo info;
    info.toc_digest = input_estargz->toc_digest;
    info.uncompressed_size = pipeline.diff_hash().size();
    for (const auto& [key, value] : info.Annotations()) result.descriptor.annotations[key] = value;
  }
  result.input_compression = input_compression;
  result.passed_through = plan.pass_through;
  result.warnings = pipeline.warnings();
  return result;
}

}  // namespace

absl::StatusOr<LayerResult> WriteLayer(const LayerOptions& options) {
  const int level = options.level < 0 ? DefaultLevel(options.compression) : options.level;
  absl::Status status = CheckLevel(options.compression, level);
  if (!status.ok()) return status;
  std::optional<Input> input;
  if (options.tree == nullptr) {
    absl::StatusOr<Input> opened = OpenInput(options.input_path);
    if (!opened.ok()) return opened.status();
    input.emplace(*std::move(opened));
    if (options.compression == Compression::kEstargz) {
      status = DetectEstargzInput(&*input);
      if (!status.ok()) return status;
    }
  }
  const Plan plan = MakePlan(options, level, input ? &*input : nullptr);
  absl::StatusOr<AtomicFile> blob = AtomicFile::Create(options.blob_path);
  if (!blob.ok()) return blob.status();
  std::future<absl::StatusOr<uint64_t>> copy;  // Joined before `blob` and `input` go.
  if (plan.kernel_copy) {
    copy = std::async(std::launch::async, [&blob, &input] { return blob->CopyFrom(*input->file); });
  }
  // An eStargz input passed through is checked against its TOC.
  const EstargzBlob* passed_estargz =
      plan.pass_through && input && input->estargz ? &*input->estargz : nullptr;
  Pipeline pipeline(options, plan, &*blob, passed_estargz);
  if (options.tree != nullptr) {
    status = options.tree->Write(pipeline.tar_entry());
    if (!status.ok()) return status;
  } else {
    // A re-encoded eStargz input is decoded up to its TOC.
    std::optional<uint64_t> decode_limit;
    if (input->estargz && !plan.pass_through) decode_limit = input->estargz->toc_offset;
    status = Feed(&*input, pipeline.raw(input->compression, decode_limit));
    if (!status.ok()) return status;
  }
  if (copy.valid()) {
    status = JoinCopy(&copy, pipeline.compressed_bytes(), options.input_path);
    if (!status.ok()) return status;
  }
  status = blob->Commit();
  if (!status.ok()) return status;
  return Describe(options, plan, pipeline, input ? input->compression : Compression::kNone,
                  input ? input->estargz : std::nullopt);
}

}  // namespace imagewriter
