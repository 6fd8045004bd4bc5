#include "src/estargz/toc_parse.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/json/parser.h"

namespace imagewriter {
namespace estargz {
namespace {

// TOCEntry's JSON names, and where each goes.
struct Field {
  const char* key;
  std::string TocEntry::*text;
  int64_t TocEntry::*number;
};
constexpr Field kFields[] = {
    {"name", &TocEntry::name, nullptr},
    {"type", &TocEntry::type, nullptr},
    {"size", nullptr, &TocEntry::size},
    {"modtime", &TocEntry::modtime, nullptr},
    {"linkName", &TocEntry::link_name, nullptr},
    {"mode", nullptr, &TocEntry::mode},
    {"uid", nullptr, &TocEntry::uid},
    {"gid", nullptr, &TocEntry::gid},
    {"userName", &TocEntry::uname, nullptr},
    {"groupName", &TocEntry::gname, nullptr},
    {"offset", nullptr, &TocEntry::offset},
    {"devMajor", nullptr, &TocEntry::dev_major},
    {"devMinor", nullptr, &TocEntry::dev_minor},
    {"digest", &TocEntry::digest, nullptr},
    {"chunkOffset", nullptr, &TocEntry::chunk_offset},
    {"chunkSize", nullptr, &TocEntry::chunk_size},
    {"chunkDigest", &TocEntry::chunk_digest, nullptr},
};

absl::Status Bad(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("\"", key, "\": ", problem));
}

absl::Status ReadInt(const json::Value& v, absl::string_view key, int64_t* out) {
  const std::string& text = v.text();
  if (v.type() != json::Value::Type::kNumber ||
      text.find_first_of(".eE") != std::string::npos || !absl::SimpleAtoi(text, out)) {
    return Bad(key, absl::StrCat("expected an integer within int64, got ", json::TypeName(v.type()),
                                 v.type() == json::Value::Type::kNumber ? " " + text : ""));
  }
  return absl::OkStatus();
}

absl::Status ReadXattrs(const json::Value& v, TocEntry* e) {
  if (!v.is_object()) return Bad("xattrs", "expected an object");
  for (const auto& [name, value] : v.members()) {
    std::string raw;
    if (!value.is_string() || !absl::Base64Unescape(value.text(), &raw) ||
        absl::Base64Escape(raw) != value.text()) {
      return Bad("xattrs", absl::StrCat("the value of \"", name,
                                        "\" is not a string in padded standard base64"));
    }
    e->xattrs[name] = std::move(raw);
  }
  return absl::OkStatus();
}

absl::Status ReadMember(const std::string& key, const json::Value& v, TocEntry* e) {
  if (key == "xattrs") return ReadXattrs(v, e);
  if (key == "innerOffset") {
    int64_t inner = 0;
    absl::Status s = ReadInt(v, key, &inner);
    if (s.ok() && inner != 0) {
      return Bad(key, absl::StrCat("is ", inner, "; only 0 reads the same in every estargz version"));
    }
    return s;
  }
  for (const Field& f : kFields) {
    if (key != f.key) continue;
    if (f.number != nullptr) return ReadInt(v, key, &(e->*f.number));
    if (!v.is_string()) return Bad(key, absl::StrCat("expected a string, got ", json::TypeName(v.type())));
    e->*f.text = v.text();
    return absl::OkStatus();
  }
  return Bad(key, "not a key of a TOC entry (Go would match it case-insensitively or ignore it)");
}

// The entries, with their memory counted as they come.
class Entries {
 public:
  explicit Entries(uint64_t max_memory) : max_memory_(max_memory) {}

  absl::Status Add(const json::Value& item) {
    const std::string where = absl::StrCat("entries[", entries_.size(), "]");
    if (!item.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": expected an object, got ", json::TypeName(item.type())));
    }
    TocEntry e;
    for (const auto& [key, value] : item.members()) {
      absl::Status s = ReadMember(key, value, &e);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", s.message()));
    }
    // Counted as the encoder counts its own (which reserves room for the
    // digests it sets later), so every TOC it writes is read back.
    memory_ += TocEntryMemory(e);
    if (memory_ > max_memory_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the TOC's entries take over ", max_memory_, " bytes of memory at ", where));
    }
    entries_.push_back(std::move(e));
    return absl::OkStatus();
  }
  std::vector<TocEntry> Take() { return std::move(entries_); }

 private:
  uint64_t max_memory_;
  uint64_t memory_ = 0;
  std::vector<TocEntry> entries_;
};

absl::Status CheckTop(const json::Value& toc) {
  const json::Value* version = toc.is_object() ? toc.Find("version") : nullptr;
  const json::Value* entries = toc.is_object() ? toc.Find("entries") : nullptr;
  if (version == nullptr || version->text() != "1" || entries == nullptr ||
      !(entries->is_array() || entries->is_null())) {
    return absl::InvalidArgumentError(
        "not a TOC: expected an object with \"version\": 1 and an \"entries\" array");
  }
  for (const auto& member : toc.members()) {
    if (member.first != "version" && member.first != "entries") {
      return Bad(member.first, "not a key of a TOC (Go would match it case-insensitively or ignore it)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

TocTarSink::TocTarSink(uint64_t max_json)
    : tar_([this](const TarEntry& e) {
        if (++entries_ == 1) name_ = e.path;
        return not_toc() ? absl::CancelledError("not an eStargz TOC tar") : absl::OkStatus();
      }) {
  tar_.set_segment_callback([this, max_json](TarReader::Segment kind, absl::string_view bytes,
                                             const tar_header::Header*) {
    if (kind != TarReader::Segment::kData) return absl::OkStatus();
    if (json_.size() + bytes.size() > max_json) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the eStargz TOC exceeds ", max_json, " bytes"));
    }
    json_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<TocEntry>> ParseToc(std::string json, uint64_t max_memory) {
  Entries entries(max_memory);
  json::StreamedArray stream{"entries", [&](json::Value item) { return entries.Add(item); }};
  absl::StatusOr<json::Value> toc = json::ParseStreamed(std::move(json), kTocTarName, stream);
  if (!toc.ok()) return toc.status();
  absl::Status s = CheckTop(*toc);
  if (!s.ok()) return s;
  return entries.Take();
}

}  // namespace estargz
}  // namespace imagewriter
