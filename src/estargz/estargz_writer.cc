#include "src/estargz/estargz_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/estargz/estargz_reader.h"
#include "src/estargz/footer.h"
#include "src/tar/tar_writer.h"

namespace imagewriter {
namespace {

absl::Status Unsupported(char type, uint64_t offset) {
  return absl::InvalidArgumentError(absl::StrCat(
      "tar entry at offset ", offset, " has type '", std::string(1, type),
      "', which eStargz cannot hold (only files, links, directories, devices and FIFOs)"));
}

absl::Status TocTooBig(uint64_t limit, absl::string_view what) {
  return absl::ResourceExhaustedError(
      absl::StrCat("the eStargz TOC would exceed ", limit,
                   " bytes, the most a reader accepts, ", what, "; too many entries or chunks"));
}

// Both sinks get every byte; Finish finishes neither (unlike TeeSink).
class BothSinks : public ByteSink {
 public:
  BothSinks(ByteSink* a, ByteSink* b) : a_(a), b_(b) {}
  absl::Status Append(absl::string_view data) override {
    absl::Status status = a_->Append(data);
    return status.ok() ? b_->Append(data) : status;
  }
  absl::Status Finish() override { return absl::OkStatus(); }

 private:
  ByteSink* a_;
  ByteSink* b_;
};

}  // namespace

std::map<std::string, std::string> EstargzInfo::Annotations() const {
  return {{estargz::kTocDigestAnnotation, toc_digest.ToString()},
          {estargz::kUncompressedSizeAnnotation, absl::StrCat(uncompressed_size)}};
}

EstargzEncoder::EstargzEncoder(ByteSink* out, int level, int threads)
    : out_(out),
      members_(NewGzipMemberEncoder(level, out, threads)),
      reader_([this](const TarEntry& e) { return OnEntry(e); }),
      max_toc_bytes_(kMaxTocBytes),
      max_toc_memory_(estargz::kMaxTocMemoryBytes) {
  reader_.set_segment_callback(
      [this](TarReader::Segment kind, absl::string_view bytes, const tar_header::Header* header) {
        return OnSegment(kind, bytes, header);
      });
}

absl::Status EstargzEncoder::Append(absl::string_view data) {
  absl::Status status = diff_hash_.Append(data);
  return status.ok() ? reader_.Append(data) : status;
}

absl::Status EstargzEncoder::OnSegment(TarReader::Segment kind, absl::string_view bytes,
                                       const tar_header::Header* header) {
  // Go's reader returns a PAX global header as an entry, which estargz
  // refuses; TarReader reports none, so it is caught here.
  if (kind == TarReader::Segment::kHeader && header->type == 'g') {
    return absl::InvalidArgumentError(
        "the tar has a PAX global header (type 'g'), which eStargz cannot hold");
  }
  if (kind == TarReader::Segment::kData) return WriteData(bytes);
  return members_->Append(bytes);
}

std::string EstargzEncoder::NameIfChanged(std::map<int64_t, std::string>* last, int64_t id,
                                          const std::string& name) {
  if (name.empty()) return "";
  std::string& seen = (*last)[id];
  if (seen == name) return "";
  seen = name;
  return name;
}

absl::Status EstargzEncoder::OnEntry(const TarEntry& entry) {
  if (estargz::CleanEntryName(entry.path) == estargz::kTocTarName) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tar entry at offset ", entry.header_offset, " is named ", estargz::kTocTarName,
        ", which eStargz reserves for its TOC (is the input eStargz already?)"));
  }
  estargz::TocEntry e;
  e.type = estargz::TocType(entry.type);
  if (e.type.empty()) return Unsupported(entry.type, entry.header_offset);
  e.name = entry.path;
  e.mode = entry.mode;
  e.uid = entry.uid;
  e.gid = entry.gid;
  e.uname = NameIfChanged(&last_uname_, entry.uid, entry.uname);
  e.gname = NameIfChanged(&last_gname_, entry.gid, entry.gname);
  e.modtime = estargz::FormatModtime(entry.mtime, entry.mtime_nanos);
  e.xattrs = entry.xattrs;
  if (entry.type == '1' || entry.type == '2') e.link_name = entry.link_name;
  if (entry.type == '3' || entry.type == '4') {
    e.dev_major = entry.devmajor;
    e.dev_minor = entry.devminor;
  }
  if (entry.type == '0') {
    e.size = static_cast<int64_t>(entry.size);
    if (entry.size == 0) e.digest = Digest::Sha256Of("").ToString();
    file_entry_ = toc_.size();
    file_header_offset_ = entry.header_offset;
    file_left_ = entry.size;
    file_done_ = 0;
    chunk_left_ = 0;
    // A file of one chunk has one digest for both: hashed once.
    file_hash_.reset();
    if (entry.size > kChunkSize) file_hash_.emplace();
  }
  return AddTocEntry(std::move(e), entry.header_offset);
}

absl::Status EstargzEncoder::AddTocEntry(estargz::TocEntry entry, uint64_t header_offset) {
  toc_bytes_ += estargz::TocEntryJsonSize(entry);
  if (toc_bytes_ > max_toc_bytes_) {
    return TocTooBig(max_toc_bytes_,
                     absl::StrCat("at the tar entry at offset ", header_offset));
  }
  // Digests are set later: counted now, at their heap size ("sha256:" and
  // 64 hex digits, and a NUL).
  const bool data = entry.type == "reg" || entry.type == "chunk";
  toc_memory_ += estargz::TocEntryMemory(entry) + (data ? 2 * 72 : 0);
  if (toc_memory_ > max_toc_memory_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the eStargz TOC's entries would take over ", max_toc_memory_,
        " bytes of memory at the tar entry at offset ", header_offset,
        "; too many entries or chunks"));
  }
  toc_.push_back(std::move(entry));
  return absl::OkStatus();
}

// Each chunk starts a member, so a reader can fetch and inflate it alone.
// estargz flushes the member and closes it (Writer.flushGz, closeGz).
absl::Status EstargzEncoder::StartChunk() {
  absl::Status status = members_->EndMember(GzipMemberEncoder::End::kFlushAndClose);
  if (!status.ok()) return status;
  ++member_;
  if (file_done_ == 0) {
    chunk_entry_ = file_entry_;
  } else {
    chunk_entry_ = toc_.size();
    estargz::TocEntry chunk;
    chunk.name = toc_[file_entry_].name;
    chunk.type = "chunk";
    chunk.chunk_offset = static_cast<int64_t>(file_done_);
    status = AddTocEntry(std::move(chunk), file_header_offset_);
    if (!status.ok()) return status;
  }
  chunk_left_ = std::min(file_left_, kChunkSize);
  // estargz records chunkSize only for a full chunk.
  if (file_left_ >= kChunkSize) toc_[chunk_entry_].chunk_size = kChunkSize;
  entry_members_.emplace_back(chunk_entry_, member_);
  chunk_hash_.emplace();
  return absl::OkStatus();
}

void EstargzEncoder::EndChunk() {
  (void)chunk_hash_->Finish();
  toc_[chunk_entry_].chunk_digest = chunk_hash_->digest().ToString();
  if (file_left_ == 0 && !file_hash_) {
    toc_[file_entry_].digest = toc_[chunk_entry_].chunk_digest;
  } else if (file_left_ == 0) {
    (void)file_hash_->Finish();
    toc_[file_entry_].digest = file_hash_->digest().ToString();
  }
}

absl::Status EstargzEncoder::WriteData(absl::string_view bytes) {
  while (!bytes.empty()) {
    if (chunk_left_ == 0) {
      absl::Status status = StartChunk();
      if (!status.ok()) return status;
    }
    const absl::string_view piece = bytes.substr(0, std::min<uint64_t>(chunk_left_, bytes.size()));
    bytes.remove_prefix(piece.size());
    if (file_hash_) (void)file_hash_->Append(piece);
    (void)chunk_hash_->Append(piece);
    absl::Status status = members_->Append(piece);
    if (!status.ok()) return status;
    chunk_left_ -= piece.size();
    file_left_ -= piece.size();
    file_done_ += piece.size();
    if (chunk_left_ == 0) EndChunk();
  }
  return absl::OkStatus();
}

// The TOC, in a tar of its own, as Go's archive/tar writes it for
// tar.Header{Typeflag: TypeReg, Name: "stargz.index.json", Size: n}.
absl::Status EstargzEncoder::WriteToc() {
  const std::string json = estargz::TocJson(toc_);
  if (json.size() > max_toc_bytes_) {
    return TocTooBig(max_toc_bytes_, absl::StrCat("with its JSON of ", json.size(), " bytes"));
  }
  info_.toc_digest = Digest::Sha256Of(json);
  // The tar goes straight out, not through another copy of the TOC.
  BothSinks tar(&diff_hash_, members_.get());
  TarWriter writer(&tar);
  TarHeader header;
  header.path = estargz::kTocTarName;
  header.size = json.size();
  header.mode = 0;
  absl::Status status = writer.WriteHeader(header);
  if (status.ok()) status = writer.Append(json);
  if (status.ok()) status = writer.Finish();
  if (status.ok()) status = members_->EndMember(GzipMemberEncoder::End::kClose);
  return status;
}

absl::Status EstargzEncoder::Finish() {
  // The last data member is closed without a flush (Writer.Close).
  absl::Status status = reader_.Finish();
  if (status.ok()) status = members_->EndMember(GzipMemberEncoder::End::kClose);
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<uint64_t>> offsets = members_->Drain();
  if (!offsets.ok()) return offsets.status();
  for (const auto& [entry, member] : entry_members_) {
    toc_[entry].offset = static_cast<int64_t>((*offsets)[member]);
  }
  status = WriteToc();
  if (!status.ok()) return status;
  offsets = members_->Drain();
  if (!offsets.ok()) return offsets.status();
  status = diff_hash_.Finish();
  if (!status.ok()) return status;
  info_.diff_id = diff_hash_.digest();
  info_.uncompressed_size = diff_hash_.size();
  status = out_->Append(estargz::FooterBytes(offsets->back()));
  return status.ok() ? out_->Finish() : status;
}

}  // namespace imagewriter
