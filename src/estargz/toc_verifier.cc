#include "src/estargz/toc_verifier.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "src/estargz/footer.h"
#include "src/json/utf8.h"

namespace imagewriter {
namespace {

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", absl::CEscape(s), "\""); }

std::string XattrsText(const std::map<std::string, std::string>& xattrs) {
  std::string out = "{";
  for (const auto& [name, value] : xattrs) {
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", Quoted(name), ": ", Quoted(value));
  }
  return out + "}";
}

// One field of a TOC entry and what the tar says it should be.
struct Field {
  const char* name;
  std::string toc, tar;
  bool ok;
};

Field Text(const char* name, const std::string& toc, const std::string& tar) {
  return {name, Quoted(toc), Quoted(tar), toc == tar};
}

// A tar's string as a TOC holds it: JSON has no room for invalid UTF-8, so
// the writers put U+FFFD in its place (Go's encoding/json, json::writer).
// That changes no '/' or '.', so paths keep their shape.
std::string AsJson(absl::string_view tar) { return json::CoerceToUtf8(tar); }

std::map<std::string, std::string> AsJson(const std::map<std::string, std::string>& xattrs) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : xattrs) out[AsJson(name)] = value;
  return out;
}

// A chunk entry as estargz writes it: its file's other fields are on the
// reg entry, and a reader should find nothing to take from it.
bool IsBareChunk(const estargz::TocEntry& c) {
  return c.size == 0 && c.modtime.empty() && c.link_name.empty() && c.mode == 0 && c.uid == 0 &&
         c.gid == 0 && c.uname.empty() && c.gname.empty() && c.dev_major == 0 &&
         c.dev_minor == 0 && c.xattrs.empty() && c.digest.empty();
}

Field Number(const char* name, int64_t toc, int64_t tar) {
  return {name, absl::StrCat(toc), absl::StrCat(tar), toc == tar};
}

}  // namespace

absl::Status EstargzVerifier::Tail::Append(absl::string_view data) {
  count += data.size();
  if (data.size() >= estargz::kFooterSize) {
    bytes = std::string(data.substr(data.size() - estargz::kFooterSize));
  } else {
    bytes.append(data.data(), data.size());
    if (bytes.size() > estargz::kFooterSize) bytes.erase(0, bytes.size() - estargz::kFooterSize);
  }
  return absl::OkStatus();
}

EstargzVerifier::EstargzVerifier(const EstargzBlob& blob)
    : toc_(*blob.entries),
      toc_offset_(blob.toc_offset),
      toc_digest_(blob.toc_digest),
      tar_([this](const TarEntry& e) { return OnEntry(e); }),
      toc_tar_(kMaxTocBytes) {
  tar_.set_segment_callback(
      [this](TarReader::Segment kind, absl::string_view bytes, const tar_header::Header*) {
        return kind == TarReader::Segment::kData ? OnData(bytes) : absl::OkStatus();
      });
}

absl::Status EstargzVerifier::Mismatch(size_t index, uint64_t tar_offset,
                                       absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "the eStargz TOC does not describe the tar: TOC entries[", index, "] (",
      Quoted(toc_[index].name), ") and the tar entry at offset ", tar_offset, ": ", what));
}

void EstargzVerifier::OnMember(uint64_t compressed_offset) {
  last_member_offset_ = compressed_offset;
  if (in_toc_ || !deferred_.ok()) return;
  member_offset_ = compressed_offset;
  member_start_ = pos_;
  if (compressed_offset == toc_offset_) deferred_ = StartToc();
}

absl::Status EstargzVerifier::Append(absl::string_view data) {
  if (!deferred_.ok()) return deferred_;
  pos_ += data.size();
  if (!in_toc_) return tar_.Append(data);
  absl::Status status = toc_tar_.Append(data);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("the stream from the eStargz TOC's gzip member (offset ", toc_offset_,
                   ") on is not the TOC's tar read first: ", status.message()));
}

absl::Status EstargzVerifier::OnEntry(const TarEntry& e) {
  if (estargz::CleanEntryName(e.path) == estargz::kTocTarName) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the tar entry at offset ", e.header_offset, " is named ", Quoted(e.path),
        ", which eStargz keeps for its TOC, but the TOC's gzip member starts at offset ",
        toc_offset_, ", not there"));
  }
  if (next_ == toc_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the eStargz TOC does not describe the tar: the tar entry at offset ", e.header_offset, " (",
        Quoted(e.path), ") is not in the TOC, whose ", toc_.size(), " entries end before it"));
  }
  const size_t index = next_++;
  absl::Status status = CompareEntry(index, e);
  if (!status.ok()) return status;
  if (e.type != '0' || e.size == 0) return CheckNoData(index, e);
  const estargz::TocEntry& reg = toc_[index];
  file_entry_ = index;
  file_header_ = e.header_offset;
  file_data_ = e.data_offset;
  file_size_ = e.size;
  file_done_ = 0;
  chunk_left_ = 0;
  // A file of one chunk has one digest for both: hashed once.
  file_hash_.reset();
  if (!reg.digest.empty() && reg.chunk_size != 0 && static_cast<uint64_t>(reg.chunk_size) < e.size) {
    file_hash_.emplace();
  }
  return absl::OkStatus();
}

absl::Status EstargzVerifier::CompareEntry(size_t index, const TarEntry& e) const {
  const estargz::TocEntry& t = toc_[index];
  const bool link = e.type == '1' || e.type == '2';
  const bool device = e.type == '3' || e.type == '4';
  const std::map<std::string, std::string> xattrs = AsJson(e.xattrs);
  const std::string uname = AsJson(e.uname), gname = AsJson(e.gname);
  const Field fields[] = {
      Text("name", t.name, AsJson(e.path)),
      Text("type", t.type, estargz::TocType(e.type)),
      Number("size", t.size, e.type == '0' ? static_cast<int64_t>(e.size) : 0),
      Text("linkName", t.link_name, link ? AsJson(e.link_name) : ""),
      Number("mode", t.mode, e.mode),
      Number("uid", t.uid, e.uid),
      Number("gid", t.gid, e.gid),
      Text("modtime", t.modtime, estargz::FormatModtime(e.mtime, e.mtime_nanos)),
      Number("devMajor", t.dev_major, device ? e.devmajor : 0),
      Number("devMinor", t.dev_minor, device ? e.devminor : 0),
      {"xattrs", XattrsText(t.xattrs), XattrsText(xattrs), t.xattrs == xattrs},
      // Left out where it repeats the last one of the same id. (Names are
      // not ownership: that is uid and gid.)
      {"userName", Quoted(t.uname), Quoted(uname), t.uname.empty() || t.uname == uname},
      {"groupName", Quoted(t.gname), Quoted(gname), t.gname.empty() || t.gname == gname},
  };
  for (const Field& f : fields) {
    if (f.ok) continue;
    return Mismatch(index, e.header_offset,
                    absl::StrCat(f.name, " is ", f.toc, " in the TOC but ", f.tar, " in the tar"));
  }
  return absl::OkStatus();
}

absl::Status EstargzVerifier::CheckNoData(size_t index, const TarEntry& e) const {
  const estargz::TocEntry& t = toc_[index];
  if (t.offset != 0 || t.chunk_offset != 0 || t.chunk_size != 0 || !t.chunk_digest.empty()) {
    return Mismatch(index, e.header_offset,
                    absl::StrCat("the entry has no data, but the TOC gives it offset ", t.offset,
                                 ", chunkOffset ", t.chunk_offset, ", chunkSize ", t.chunk_size,
                                 ", chunkDigest ", Quoted(t.chunk_digest)));
  }
  const std::string empty = Digest::Sha256Of("").ToString();
  if (!t.digest.empty() && t.digest != empty) {
    return Mismatch(index, e.header_offset,
                    absl::StrCat("digest is ", Quoted(t.digest), " in the TOC but ", Quoted(empty),
                                 " (no data) in the tar"));
  }
  return absl::OkStatus();
}

absl::Status EstargzVerifier::OnData(absl::string_view bytes) {
  while (!bytes.empty()) {
    if (chunk_left_ == 0) {
      absl::Status status = StartChunk();
      if (!status.ok()) return status;
    }
    const absl::string_view piece = bytes.substr(0, std::min<uint64_t>(chunk_left_, bytes.size()));
    bytes.remove_prefix(piece.size());
    if (file_hash_) (void)file_hash_->Append(piece);
    (void)chunk_hash_->Append(piece);
    chunk_left_ -= piece.size();
    file_done_ += piece.size();
    if (chunk_left_ == 0) {
      absl::Status status = EndChunk();
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

// The file's next chunk starts: its entry is the reg one for the first,
// then the chunk entry next in the TOC.
absl::Status EstargzVerifier::StartChunk() {
  const estargz::TocEntry& reg = toc_[file_entry_];
  size_t index = file_entry_;
  if (file_done_ > 0) {
    if (next_ == toc_.size() || toc_[next_].type != "chunk") {
      return Mismatch(file_entry_, file_header_,
                      absl::StrCat("the file has ", file_size_, " bytes, but its chunks in the TOC "
                                   "end at ", file_done_));
    }
    index = next_++;
    const estargz::TocEntry& chunk = toc_[index];
    if (chunk.name != reg.name) {
      return Mismatch(index, file_header_, absl::StrCat("a chunk of ", Quoted(reg.name),
                                                        " is named ", Quoted(chunk.name)));
    }
    if (!IsBareChunk(chunk)) {
      return Mismatch(index, file_header_,
                      "a chunk entry has fields beyond name, type, offset, chunkOffset, "
                      "chunkSize and chunkDigest, which belong to its file's reg entry");
    }
  }
  const estargz::TocEntry& chunk = toc_[index];
  if (chunk.chunk_offset < 0 || static_cast<uint64_t>(chunk.chunk_offset) != file_done_) {
    return Mismatch(index, file_header_,
                    absl::StrCat("chunkOffset is ", chunk.chunk_offset,
                                 " in the TOC but the previous chunks end at ", file_done_));
  }
  // estargz's reader takes a zero chunkSize as "to the file's end".
  const uint64_t left = file_size_ - file_done_;
  const uint64_t size = chunk.chunk_size == 0 ? left : static_cast<uint64_t>(chunk.chunk_size);
  if (chunk.chunk_size < 0 || size > left) {
    return Mismatch(index, file_header_,
                    absl::StrCat("chunkSize ", chunk.chunk_size, " at chunkOffset ", file_done_,
                                 " runs past the file's ", file_size_, " bytes"));
  }
  absl::Status status = CheckChunkPlace(index, size);
  if (!status.ok()) return status;
  chunk_entry_ = index;
  chunk_left_ = size;
  chunk_hash_.emplace();
  return absl::OkStatus();
}

// A reader fetches the chunk by inflating from its offset: a gzip member
// must start there, right where the chunk's bytes start. The decoder has
// reported every member that starts at or before them (none inside them
// yet), so the last one is the member they are in.
absl::Status EstargzVerifier::CheckChunkPlace(size_t index, uint64_t size) const {
  const estargz::TocEntry& chunk = toc_[index];
  const uint64_t at = file_data_ + file_done_;
  if (chunk.chunk_digest.empty()) {
    return Mismatch(index, file_header_, absl::StrCat("the chunk at chunkOffset ", file_done_,
                                                      " (", size, " bytes) has no chunkDigest"));
  }
  if (chunk.offset < 0 || static_cast<uint64_t>(chunk.offset) != member_offset_ ||
      member_start_ != at) {
    return Mismatch(
        index, file_header_,
        absl::StrCat("offset is ", chunk.offset, " in the TOC, but the chunk at chunkOffset ",
                     file_done_, " starts at decoded offset ", at,
                     ", in the gzip member at offset ", member_offset_,
                     ", which starts at decoded offset ", member_start_));
  }
  return absl::OkStatus();
}

absl::Status EstargzVerifier::EndChunk() {
  (void)chunk_hash_->Finish();
  const estargz::TocEntry& chunk = toc_[chunk_entry_];
  const std::string got = chunk_hash_->digest().ToString();
  if (chunk.chunk_digest != got) {
    return Mismatch(chunk_entry_, file_header_,
                    absl::StrCat("chunkDigest is ", Quoted(chunk.chunk_digest),
                                 " in the TOC, but the chunk's bytes (chunkOffset ",
                                 chunk.chunk_offset, ", ", chunk_hash_->size(),
                                 " bytes) hash to ", Quoted(got)));
  }
  const estargz::TocEntry& reg = toc_[file_entry_];
  if (file_done_ < file_size_ || reg.digest.empty()) return absl::OkStatus();
  std::string whole = got;
  if (file_hash_) {
    (void)file_hash_->Finish();
    whole = file_hash_->digest().ToString();
  }
  if (reg.digest != whole) {
    return Mismatch(file_entry_, file_header_,
                    absl::StrCat("digest is ", Quoted(reg.digest), " in the TOC, but the file's ",
                                 file_size_, " bytes hash to ", Quoted(whole)));
  }
  return absl::OkStatus();
}

// The TOC's member starts: the tar must be done with, and all of the TOC
// paired with it.
absl::Status EstargzVerifier::StartToc() {
  in_toc_ = true;
  absl::Status status = tar_.Finish();
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the eStargz TOC's gzip member (offset ", toc_offset_,
                     ") starts inside the tar, at its offset ", pos_, ": ", status.message()));
  }
  if (next_ < toc_.size()) {
    const estargz::TocEntry& t = toc_[next_];
    return absl::InvalidArgumentError(absl::StrCat(
        "the eStargz TOC does not describe the tar: TOC entries[", next_, "] (",
        Quoted(t.name), ", type ", Quoted(t.type), ") is not in the tar, which ends at offset ",
        pos_, " with ", toc_.size() - next_, " TOC entries left"));
  }
  return absl::OkStatus();
}

absl::Status EstargzVerifier::Finish() {
  if (!deferred_.ok()) return deferred_;
  if (!in_toc_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no gzip member starts at offset ", toc_offset_,
        ", where the footer read first puts the eStargz TOC: did the file change while read?"));
  }
  absl::Status status = toc_tar_.Finish();
  const std::string seen = Digest::Sha256Of(toc_tar_.json()).ToString();
  if (!status.ok() || !toc_tar_.is_toc() || seen != toc_digest_.ToString()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the eStargz TOC decoded from offset ", toc_offset_, " in the stream (sha256 ", seen,
        status.ok() ? "" : absl::StrCat(", ", status.message()), ") is not the one read first (",
        toc_digest_.ToString(), "): did the file change while read?"));
  }
  const std::string footer = estargz::FooterBytes(toc_offset_);
  if (tail_.bytes != footer || last_member_offset_ != tail_.count - footer.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the stream does not end in the eStargz footer read first (TOC offset ", toc_offset_,
        ") as its last gzip member: did the file change while read?"));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
