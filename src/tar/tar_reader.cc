#include "src/tar/tar_reader.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace {

using tar_header::kBlock;

uint64_t Padding(uint64_t size) { return (kBlock - size % kBlock) % kBlock; }

}  // namespace

absl::Status TarReader::Error(uint64_t offset, absl::string_view what) const {
  return absl::DataLossError(absl::StrCat("malformed tar at offset ", offset, ": ", what));
}

absl::Status TarReader::Forward(Segment kind, absl::string_view bytes,
                               const tar_header::Header* header) const {
  return on_segment_ ? on_segment_(kind, bytes, header) : absl::OkStatus();
}

void TarReader::ExpectData(uint64_t size, State state) {
  data_left_ = size;
  pad_left_ = Padding(size);
  state_ = size > 0 ? state : (pad_left_ > 0 ? State::kPadding : State::kHeader);
}

void TarReader::ClearPending() {
  pending_ = false;
  pax_.reset();
  long_name_.clear();
  long_link_.clear();
}

absl::Status TarReader::Append(absl::string_view data) {
  while (!data.empty()) {
    switch (state_) {
      case State::kEnd:
        // Everything after the end-of-archive marker is padding; Go's reader
        // stops at the marker, and so does this one.
        offset_ += data.size();
        return Forward(Segment::kEnd, data);
      case State::kData:
      case State::kExtension:
      case State::kPadding: {
        uint64_t& left = state_ == State::kPadding ? pad_left_ : data_left_;
        const size_t take = static_cast<size_t>(std::min<uint64_t>(left, data.size()));
        if (state_ == State::kExtension) extension_.append(data.data(), take);
        const Segment kind = state_ == State::kPadding  ? Segment::kPadding
                             : state_ == State::kData ? Segment::kData
                                                      : Segment::kRecord;
        absl::Status forwarded = Forward(kind, data.substr(0, take));
        if (!forwarded.ok()) return forwarded;
        left -= take;
        offset_ += take;
        data.remove_prefix(take);
        if (left > 0) break;
        // Records are parsed once their data is complete, before the
        // padding, as Go does: a stream may end inside the padding.
        if (state_ == State::kExtension) {
          absl::Status status = FinishExtension();
          if (!status.ok()) return status;
        }
        state_ = state_ != State::kPadding && pad_left_ > 0 ? State::kPadding : State::kHeader;
        break;
      }
      case State::kHeader:
      case State::kAfterZero: {
        const size_t take = std::min(kBlock - block_.size(), data.size());
        block_.append(data.data(), take);
        data.remove_prefix(take);
        if (block_.size() == kBlock) {
          absl::Status status = ParseHeader();
          block_.clear();
          offset_ += kBlock;
          if (!status.ok()) return status;
        }
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TarReader::ParseHeader() {
  const bool zero = tar_header::IsZeroBlock(block_);
  if (state_ == State::kAfterZero) {
    // Two zero blocks end the archive; one followed by anything else is
    // not an end marker, and Go refuses it (ErrHeader).
    if (!zero) return Error(offset_, "a non-zero block after a zero block (a broken end-of-archive marker)");
    state_ = State::kEnd;
    return Forward(Segment::kEnd, block_);
  }
  if (zero) {
    state_ = State::kAfterZero;
    return Forward(Segment::kEnd, block_);
  }
  tar_header::Header header;
  absl::Status status = tar_header::ParseHeader(block_, &header);
  if (!status.ok()) {
    const bool no_header = offset_ == 0 && absl::IsDataLoss(status);
    return Error(offset_, no_header ? absl::StrCat("not a tar archive (", status.message(), ")")
                                    : std::string(status.message()));
  }
  // Go checks the stored size before any override: a negative one is
  // ErrHeader even when a PAX size follows.
  if (!tar_header::IsHeaderOnlyType(header.type) && header.size < 0) {
    return Error(offset_, absl::StrCat("negative size ", header.size));
  }
  if (!pending_) {
    pending_ = true;
    pending_offset_ = offset_;
  }
  status = Forward(Segment::kHeader, block_, &header);
  if (!status.ok()) return status;
  const char type = header.type;
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') return StartExtension(header);
  return StartEntry(std::move(header));
}

absl::Status TarReader::StartExtension(const tar_header::Header& header) {
  const uint64_t size = static_cast<uint64_t>(header.size);
  if (size > kMaxExtensionRecord) {
    return Error(offset_, absl::StrCat("extension header of ", size, " bytes exceeds the limit of ",
                                       kMaxExtensionRecord));
  }
  extension_type_ = header.type;
  extension_offset_ = offset_;
  extension_.clear();
  ExpectData(size, State::kExtension);
  return size == 0 ? FinishExtension() : absl::OkStatus();
}

absl::Status TarReader::FinishExtension() {
  if (extension_type_ == 'L' || extension_type_ == 'K') {
    // A NUL ends the name, as Go's parseString reads it.
    std::string value = extension_.substr(0, extension_.find('\0'));
    (extension_type_ == 'L' ? long_name_ : long_link_) = std::move(value);
    return absl::OkStatus();
  }
  tar_header::PaxRecords records;
  absl::Status status = tar_header::ParsePaxRecords(extension_, &records);
  if (!status.ok()) return Error(extension_offset_, status.message());
  if (extension_type_ == 'g') {
    // Go returns a global header as an entry of its own, dropping what was
    // pending; extractors ignore it. Its records apply to nothing.
    ClearPending();
  } else {
    pax_ = std::move(records);  // Only the last 'x' header counts, as in Go.
  }
  return absl::OkStatus();
}

// Go's mergePAX: an empty value keeps the header's field; a value that does
// not parse is ErrHeader, for atime and ctime too.
absl::Status TarReader::ApplyPax(tar_header::Header* h, int32_t* mtime_nanos) const {
  if (!pax_) return absl::OkStatus();
  for (const auto& [key, value] : *pax_) {
    if (value.empty()) continue;
    int64_t ignored;
    bool ok = true;
    if (key == "path") h->name = value;
    else if (key == "linkpath") h->link_name = value;
    else if (key == "uid") ok = tar_header::ParseDecimal(value, &h->uid);
    else if (key == "gid") ok = tar_header::ParseDecimal(value, &h->gid);
    else if (key == "size") ok = tar_header::ParseDecimal(value, &h->size);
    else if (key == "mtime") ok = tar_header::ParsePaxTime(value, &h->mtime, mtime_nanos);
    else if (key == "uname") h->uname = value;
    else if (key == "gname") h->gname = value;
    else if (key == "atime" || key == "ctime") ok = tar_header::ParsePaxTime(value, &ignored);
    if (!ok) {
      return Error(pending_offset_, absl::StrCat("PAX record ", key, "=\"", value, "\" is not a number"));
    }
  }
  return absl::OkStatus();
}

absl::Status TarReader::StartEntry(tar_header::Header h) {
  int32_t mtime_nanos = 0;
  absl::Status status = ApplyPax(&h, &mtime_nanos);
  if (!status.ok()) return status;
  // GNU long names and links win over PAX records, whatever their order.
  if (!long_name_.empty()) h.name = long_name_;
  if (!long_link_.empty()) h.link_name = long_link_;
  if (h.type == '\0') h.type = absl::EndsWith(h.name, "/") ? '5' : '0';
  const uint64_t at = pending_offset_;
  uint64_t size = 0;
  if (!tar_header::IsHeaderOnlyType(h.type)) {
    if (h.size < 0) return Error(at, absl::StrCat("negative size ", h.size));
    size = static_cast<uint64_t>(h.size);
  }
  if (tar_header::IsSparse(h.type, pax_ ? &*pax_ : nullptr)) {
    // Named as Go would extract it: GNU.sparse.name wins over the path.
    std::string name = h.name;
    if (pax_ && pax_->count("GNU.sparse.name") && !pax_->at("GNU.sparse.name").empty()) {
      name = pax_->at("GNU.sparse.name");
    }
    return Error(at, absl::StrCat("\"", name, "\": GNU sparse files are not supported"));
  }
  if (h.name.empty()) return Error(at, "entry has an empty name");
  TarEntry entry;
  entry.path = std::move(h.name);
  entry.link_name = std::move(h.link_name);
  entry.type = h.type;
  entry.size = size;
  entry.mode = h.mode;
  entry.uid = h.uid;
  entry.gid = h.gid;
  entry.mtime = h.mtime;
  entry.mtime_nanos = mtime_nanos;
  entry.uname = std::move(h.uname);
  entry.gname = std::move(h.gname);
  entry.devmajor = h.devmajor;
  entry.devminor = h.devminor;
  if (pax_) {
    constexpr absl::string_view kXattr = "SCHILY.xattr.";
    for (const auto& [key, value] : *pax_) {
      if (absl::StartsWith(key, kXattr)) entry.xattrs[key.substr(kXattr.size())] = value;
    }
  }
  entry.header_offset = at;
  entry.data_offset = offset_ + kBlock;
  ClearPending();
  if (on_entry_) {
    status = on_entry_(entry);
    if (!status.ok()) return status;
  }
  ExpectData(size, State::kData);
  return absl::OkStatus();
}

absl::Status TarReader::Finish() {
  if (offset_ == 0 && block_.empty()) {
    return absl::DataLossError("not a tar archive: the input is empty");
  }
  if (!block_.empty()) {
    return Error(offset_, absl::StrCat("truncated tar: the stream ends ", block_.size(),
                                       " bytes into a 512-byte header"));
  }
  if (state_ == State::kData || state_ == State::kExtension) {
    return Error(offset_, absl::StrCat("truncated tar: the stream ends with ", data_left_,
                                       " bytes of entry data still expected"));
  }
  // Ended cleanly: at the end marker, between entries without it, after one
  // zero block, or inside the padding after an entry's data. Go's
  // archive/tar accepts each of these (and drops a pending extension
  // header), so we do too.
  return absl::OkStatus();
}

}  // namespace imagewriter
