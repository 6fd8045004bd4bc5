#include "src/diff/layer_diff.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "src/diff/content_probe.h"
#include "src/diff/layer_stream.h"
#include "src/digest/sha256_sink.h"

namespace imagewriter {
namespace {

// PAX keys whose values the entry's own fields already show.
bool IsFieldKey(const std::string& key) {
  static const char* const kKeys[] = {"path", "linkpath", "size", "uid", "gid",
                                      "uname", "gname", "mtime"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

struct EntryRecord {
  std::string key;  // The path, normalised, made unique within the layer.
  TarEntry entry;   // Without its path and xattrs (key and pax have them).
  tar_header::PaxRecords pax;
  std::array<unsigned char, 32> content{};  // SHA-256 of the data.
};

struct LayerScan {
  std::deque<EntryRecord> entries;  // No reallocation: memory is what is held.
  std::map<std::string, size_t> index;  // Key -> entry.
  LayerFacts facts;
};

std::string ContentText(const EntryRecord& r) {
  return "sha256:" + absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(r.content.data()),
                                                              r.content.size()));
}

// What an entry costs to hold, roughly: the record, its index node, and
// the strings too long to live inside their std::string.
uint64_t Footprint(const EntryRecord& r) {
  auto heap = [](const std::string& s) { return s.size() > 15 ? s.size() + 1 : 0; };
  uint64_t bytes = sizeof(EntryRecord) + sizeof(std::string) + 64 + 2 * heap(r.key) +
                   heap(r.entry.link_name) + heap(r.entry.uname) + heap(r.entry.gname);
  for (const auto& [key, value] : r.pax) bytes += 96 + heap(key) + heap(value);
  return bytes;
}

std::string NormalPath(std::string path) {
  while (absl::StartsWith(path, "./")) path.erase(0, 2);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

class Scanner {
 public:
  absl::Status OnEntry(const TarEntry& e, const tar_header::PaxRecords& pax) {
    absl::Status s = FinishContent();
    if (!s.ok()) return s;
    if (scan_.entries.size() >= kMaxEntries) {
      return absl::ResourceExhaustedError(absl::StrCat("more than ", kMaxEntries, " entries in the layer"));
    }
    EntryRecord r;
    r.key = NormalPath(e.path);
    if (scan_.index.count(r.key)) {
      // The same path again: a later entry replaces it when extracted. The
      // suffixed key must be new too: a literal "P (occurrence 2)" entry
      // may already hold it, and two entries under one key would make the
      // two sides' orders differ in length.
      const std::string path = r.key;
      do {
        r.key = absl::StrCat(path, " (occurrence ", ++duplicates_[path] + 1, ")");
      } while (scan_.index.count(r.key));
    }
    r.entry = e;
    r.entry.path.clear();
    r.entry.xattrs.clear();
    for (const auto& [key, value] : pax) {
      if (!IsFieldKey(key)) r.pax[key] = value;
    }
    metadata_ += Footprint(r);
    if (metadata_ > kMaxMetadataBytes) {
      return absl::ResourceExhaustedError(absl::StrCat("more than ", kMaxMetadataBytes,
                                                       " bytes of entry metadata in the layer"));
    }
    scan_.index.emplace(r.key, scan_.entries.size());
    scan_.entries.push_back(std::move(r));
    hash_.emplace();
    return absl::OkStatus();
  }
  absl::Status OnData(absl::string_view data) { return hash_ ? hash_->Append(data) : absl::OkStatus(); }
  absl::Status FinishContent() {
    if (!hash_) return absl::OkStatus();
    absl::Status s = hash_->Finish();
    if (!s.ok()) return s;
    const std::string bytes = absl::HexStringToBytes(hash_->digest().encoded());
    std::copy(bytes.begin(), bytes.end(), scan_.entries.back().content.begin());
    hash_.reset();
    return absl::OkStatus();
  }
  LayerScan& scan() { return scan_; }

 private:
  LayerScan scan_;
  std::map<std::string, int> duplicates_;  // Path -> times seen again.
  std::optional<Sha256Sink> hash_;
  uint64_t metadata_ = 0;
};

absl::StatusOr<LayerScan> ScanLayer(const LayerBlob& blob, const DecompressionLimits& limits) {
  Scanner scanner;
  LayerCallbacks callbacks;
  callbacks.on_entry = [&](const TarEntry& e, const tar_header::PaxRecords& pax) {
    return scanner.OnEntry(e, pax);
  };
  callbacks.on_data = [&](absl::string_view data) { return scanner.OnData(data); };
  absl::Status s = StreamLayer(blob, limits, callbacks, &scanner.scan().facts);
  if (s.ok()) s = scanner.FinishContent();
  if (!s.ok()) return s;
  return std::move(scanner.scan());
}

std::string TypeName(char type) {
  switch (type) {
    case '0': case '7': return "regular file";
    case '1': return "hard link";
    case '2': return "symlink";
    case '3': return "character device";
    case '4': return "block device";
    case '5': return "directory";
    case '6': return "fifo";
    default: return absl::StrCat("type '", std::string(1, type), "'");
  }
}

std::string TimeText(int64_t seconds, int32_t nanos) {
  const absl::Time t = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  std::string text = nanos == 0 ? absl::StrCat(seconds) : absl::StrFormat("%d.%09d", seconds, nanos);
  return absl::StrCat(text, " (", absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()), ")");
}

// Compares entries field by field. The same change to many entries (every
// mtime moved by one second, every file made executable by a remote
// executor) is one cause, so it is one line naming the first few paths.
class EntryComparer {
 public:
  static constexpr size_t kPathsShown = 3;

  EntryComparer(const Difference& base, DiffReport* report) : base_(base), report_(report) {}

  void Field(const EntryRecord& a, const std::string& field, const std::string& x, const std::string& y,
             const std::string& note = "") {
    if (x == y) return;
    const std::string key = absl::StrCat(field, std::string(1, '\0'), x, std::string(1, '\0'), y);
    auto it = group_of_.find(key);
    if (it == group_of_.end()) {
      if (groups_.size() >= DiffReport::kMaxDifferences) {
        report_->Drop();  // As many kinds of change as the report holds lines.
        return;
      }
      it = group_of_.emplace(key, groups_.size()).first;
      groups_.push_back(Group{Difference{base_.scope, base_.kind, "", field, x, y, note}, {}, 0});
    }
    Group& g = groups_[it->second];
    if (g.paths.size() < kPathsShown) g.paths.push_back(a.key);
    ++g.count;
  }

  // Writes the groups to the report, in the order their first entry came.
  void Flush() {
    for (Group& g : groups_) {
      g.d.subject = absl::StrCat(base_.subject, " ", absl::StrJoin(g.paths, ", "));
      if (g.count > g.paths.size()) absl::StrAppend(&g.d.subject, " and ", g.count - g.paths.size(), " more");
      if (g.count > 1) g.d.note = absl::StrCat(g.count, " entries", g.d.note.empty() ? "" : "; ", g.d.note);
      report_->Add(std::move(g.d));
    }
    groups_.clear();
    group_of_.clear();
  }

  void Compare(const EntryRecord& a, const EntryRecord& b, const std::string& content_note) {
    const TarEntry& x = a.entry;
    const TarEntry& y = b.entry;
    Field(a, "type", TypeName(x.type), TypeName(y.type));
    Field(a, "mode", absl::StrFormat("%04o", x.mode), absl::StrFormat("%04o", y.mode));
    Field(a, "uid", absl::StrCat(x.uid), absl::StrCat(y.uid));
    Field(a, "gid", absl::StrCat(x.gid), absl::StrCat(y.gid));
    Field(a, "uname", Quote(x.uname), Quote(y.uname));
    Field(a, "gname", Quote(x.gname), Quote(y.gname));
    Field(a, "mtime", TimeText(x.mtime, x.mtime_nanos), TimeText(y.mtime, y.mtime_nanos));
    Field(a, "link target", Quote(x.link_name), Quote(y.link_name));
    Field(a, "device", absl::StrCat(x.devmajor, ",", x.devminor), absl::StrCat(y.devmajor, ",", y.devminor));
    ComparePax(a, b);
    if (a.content != b.content) {
      Field(a, "content", absl::StrCat(ContentText(a), " (", x.size, " bytes)"),
            absl::StrCat(ContentText(b), " (", y.size, " bytes)"), content_note);
    }
  }

  static std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

 private:
  void ComparePax(const EntryRecord& a, const EntryRecord& b) {
    for (const auto& [key, value] : a.pax) {
      auto it = b.pax.find(key);
      Field(a, absl::StrCat("PAX ", key), Quote(value), it == b.pax.end() ? kAbsent : Quote(it->second));
    }
    for (const auto& [key, value] : b.pax) {
      if (a.pax.count(key) == 0) Field(a, absl::StrCat("PAX ", key), kAbsent, Quote(value));
    }
  }

  struct Group {
    Difference d;
    std::vector<std::string> paths;  // The first kPathsShown.
    uint64_t count;
  };
  const Difference& base_;
  DiffReport* report_;
  std::vector<Group> groups_;
  std::map<std::string, size_t> group_of_;  // field, a, b -> index in groups_.
};

// Paths only one side has, and the first place the common ones' order differs.
void ComparePaths(const LayerScan& a, const LayerScan& b, const std::map<std::string, size_t>& in_a,
                  const std::map<std::string, size_t>& in_b, const Difference& base, DiffReport* report) {
  std::vector<const std::string*> order_a, order_b;
  for (const EntryRecord& r : a.entries) {
    if (in_b.count(r.key)) {
      order_a.push_back(&r.key);
      continue;
    }
    Difference d = base;
    d.subject = absl::StrCat(base.subject, " ", r.key);
    d.field = "only in A";
    report->Add(std::move(d));
  }
  for (const EntryRecord& r : b.entries) {
    if (in_a.count(r.key)) {
      order_b.push_back(&r.key);
      continue;
    }
    Difference d = base;
    d.subject = absl::StrCat(base.subject, " ", r.key);
    d.field = "only in B";
    report->Add(std::move(d));
  }
  for (size_t i = 0; i < std::min(order_a.size(), order_b.size()); ++i) {
    if (*order_a[i] == *order_b[i]) continue;
    Difference d = base;
    d.field = "entry order";
    d.a = absl::StrCat(*order_a[i], " at position ", i);
    d.b = absl::StrCat(*order_b[i], " at position ", i);
    d.note = absl::StrCat("\"", *order_a[i], "\" moved: the entries are reordered");
    report->Add(std::move(d));
    break;
  }
}

}  // namespace

absl::Status CompareLayerBlobs(const LayerBlob& a, const LayerBlob& b, const Difference& base,
                               const DecompressionLimits& limits, DiffReport* report) {
  absl::StatusOr<LayerScan> x = ScanLayer(a, limits);
  if (!x.ok()) return x.status();
  absl::StatusOr<LayerScan> y = ScanLayer(b, limits);
  if (!y.ok()) return y.status();
  // Both were just streamed and checked: later reads need not hash them.
  LayerBlob ca = a, cb = b;
  ca.checked = cb.checked = true;
  if (x->facts.diff_id == y->facts.diff_id) return CompareCompression(ca, cb, base, report);
  const std::map<std::string, size_t>& in_a = x->index;
  const std::map<std::string, size_t>& in_b = y->index;
  const uint64_t before = report->differences().size() + report->dropped();
  ComparePaths(*x, *y, in_a, in_b, base, report);
  // The files whose content differs, and where.
  std::vector<ContentTarget> targets;
  for (size_t i = 0; i < x->entries.size() && targets.size() < kMaxContentTargets; ++i) {
    auto it = in_b.find(x->entries[i].key);
    if (it != in_b.end() && x->entries[i].content != y->entries[it->second].content) {
      targets.push_back(ContentTarget{i, it->second, std::nullopt});
    }
  }
  absl::Status probed = FindContentOffsets(ca, cb, limits, &targets);
  if (!probed.ok()) return probed;
  std::map<size_t, uint64_t> offsets;
  for (const ContentTarget& t : targets) {
    if (t.offset) offsets[t.a_entry] = *t.offset;
  }
  EntryComparer entries(base, report);
  for (size_t i = 0; i < x->entries.size(); ++i) {
    auto it = in_b.find(x->entries[i].key);
    if (it == in_b.end()) continue;
    auto offset = offsets.find(i);
    entries.Compare(x->entries[i], y->entries[it->second],
                    offset == offsets.end() ? "" : absl::StrCat("first difference at byte ", offset->second));
  }
  entries.Flush();
  if (report->differences().size() + report->dropped() == before) {
    Difference d = base;
    d.field = "tar bytes";
    d.a = x->facts.diff_id.ToString();
    d.b = y->facts.diff_id.ToString();
    d.note = "the same entries, metadata and content, written differently "
             "(header encoding, padding or end blocks)";
    report->Add(std::move(d));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
