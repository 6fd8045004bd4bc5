#include "src/estargz/toc.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace estargz {
namespace {

// Writes one entry's members, each on its own line at `indent`, as
// MarshalIndent lays out a struct; the caller closes the object.
class Members {
 public:
  Members(std::string* out, absl::string_view indent) : out_(out), indent_(indent) {}

  void String(absl::string_view key, absl::string_view value, bool always = false) {
    if (value.empty() && !always) return;
    Key(key);
    json::AppendQuoted(value, out_);
  }
  void Int(absl::string_view key, int64_t value) {
    if (value == 0) return;
    Key(key);
    absl::StrAppend(out_, value);
  }
  // map[string][]byte: keys sorted, values base64 (std, padded).
  void Bytes(absl::string_view key, const std::map<std::string, std::string>& values) {
    if (values.empty()) return;
    Key(key);
    out_->append("{");
    bool first = true;
    for (const auto& [name, value] : values) {
      absl::StrAppend(out_, first ? "" : ",", "\n", indent_, "\t");
      json::AppendQuoted(name, out_);
      out_->append(": ");
      json::AppendQuoted(absl::Base64Escape(value), out_);
      first = false;
    }
    absl::StrAppend(out_, "\n", indent_, "}");
  }

 private:
  void Key(absl::string_view key) {
    absl::StrAppend(out_, first_ ? "" : ",", "\n", indent_, "\"", key, "\": ");
    first_ = false;
  }
  std::string* out_;
  std::string indent_;
  bool first_ = true;
};

void AppendEntry(const TocEntry& e, std::string* out) {
  out->append("\t\t{");
  Members m(out, "\t\t\t");
  m.String("name", e.name, true);
  m.String("type", e.type, true);
  m.Int("size", e.size);
  m.String("modtime", e.modtime);
  m.String("linkName", e.link_name);
  m.Int("mode", e.mode);
  m.Int("uid", e.uid);
  m.Int("gid", e.gid);
  m.String("userName", e.uname);
  m.String("groupName", e.gname);
  m.Int("offset", e.offset);
  m.Int("devMajor", e.dev_major);
  m.Int("devMinor", e.dev_minor);
  m.Bytes("xattrs", e.xattrs);
  m.String("digest", e.digest);
  m.Int("chunkOffset", e.chunk_offset);
  m.Int("chunkSize", e.chunk_size);
  m.String("chunkDigest", e.chunk_digest);
  out->append("\n\t\t}");
}

}  // namespace

std::string TocJson(const std::vector<TocEntry>& entries) {
  std::string out = "{\n\t\"version\": 1,\n\t\"entries\": ";
  if (entries.empty()) {
    out.append("null");
  } else {
    out.append("[");
    for (size_t i = 0; i < entries.size(); ++i) {
      out.append(i == 0 ? "\n" : ",\n");
      AppendEntry(entries[i], &out);
    }
    out.append("\n\t]");
  }
  out.append("\n}");
  return out;
}

const char* TocType(char tar_type) {
  switch (tar_type) {
    case '0':
      return "reg";
    case '1':
      return "hardlink";
    case '2':
      return "symlink";
    case '3':
      return "char";
    case '4':
      return "block";
    case '5':
      return "dir";
    case '6':
      return "fifo";
    default:
      return "";
  }
}

size_t TocEntryMemory(const TocEntry& e) {
  // A string's heap block holds its capacity and a NUL; short strings live
  // in the struct. A map node holds two strings and some 32 bytes of links.
  auto heap = [](const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
  };
  size_t n = sizeof(TocEntry) + heap(e.name) + heap(e.type) + heap(e.modtime) +
             heap(e.link_name) + heap(e.uname) + heap(e.gname) + heap(e.digest) +
             heap(e.chunk_digest);
  for (const auto& [key, value] : e.xattrs) {
    n += 32 + 2 * sizeof(std::string) + heap(key) + heap(value);
  }
  return n;
}

size_t TocEntryJsonSize(const TocEntry& entry) {
  std::string out;
  AppendEntry(entry, &out);
  return out.size() + 2;  // ",\n" or "\n" and a share of the brackets.
}

std::string FormatModtime(int64_t seconds, int32_t nanos) {
  if (seconds == 0) return "";
  // time.Round(time.Second) rounds halfway values up.
  const absl::CivilSecond t = absl::ToCivilSecond(
      absl::FromUnixSeconds(seconds + (nanos >= 500000000 ? 1 : 0)), absl::UTCTimeZone());
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", t.year(), t.month(), t.day(), t.hour(),
                         t.minute(), t.second());
}

std::string CleanEntryName(absl::string_view name) {
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();  // ".." at the root stays at the root.
      continue;
    }
    parts.push_back(part);
  }
  return absl::StrJoin(parts, "/");
}

}  // namespace estargz
}  // namespace imagewriter
