// Structure-aware fuzzing of the tar reader: the input is not a tar but a
// recipe for one. It picks entries (files, links, directories, PAX 'x' and
// 'g' headers, GNU 'L'/'K' records, sparse types, zero blocks, raw bytes)
// and, for each header, a format (USTAR, GNU, STAR, V7), a prefix, and for
// every numeric field an encoding (octal, padded octal, base-256 positive,
// negative or overflowing, garbage), so mutations land on the fields where
// two tar readers can disagree, not on checksums.
//
// Invariants checked here:
//   - the reader gives the same entries and verdict in any chunking;
//   - TimestampClamp refuses exactly what the reader refuses (it never
//     "repairs" a header), and what it writes reads back as the same
//     entries with no mtime above the epoch.
// The disagreements that matter most, with Go's archive/tar, are found by
// running tests/tar_oracle over the tars this harness builds: with
// TAR_HEADER_FUZZ_DUMP=DIR set, each input's tar is written to DIR.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"
#include "src/tar/timestamp_clamp.h"

namespace {

using imagewriter::TarEntry;
using imagewriter::TarReader;

const char* const kNames[] = {"a", "dir/", "../x", "a/b", "", "./a/../../b", "/etc/passwd",
                              "lib", "lib/evil", "x/", "a\xe9", "PaxHeader", "a//b/"};
const char* const kKeys[] = {"path", "linkpath", "size", "uid", "gid", "mtime", "atime", "ctime",
                             "GNU.sparse.major", "GNU.sparse.minor", "GNU.sparse.name",
                             "GNU.sparse.map", "GNU.sparse.offset", "GNU.sparse.numbytes",
                             "GNU.sparse.size", "GNU.sparse.realsize", "comment", "uname", ""};
const char* const kValues[] = {"", "0", "1", "-1", "+5", "1.5", "-1.5", "-0.5", ".5", "5.",
                               "x", "../../etc", "9223372036854775807", "9223372036854775808",
                               "0,4", "1", "a=b", "007", "1e3", "lib/evil"};

std::string PickName(FuzzedDataProvider& p) {
  switch (p.ConsumeIntegralInRange(0, 3)) {
    case 0: return p.ConsumeRandomLengthString(120);
    case 1: return std::string(p.ConsumeIntegralInRange<size_t>(90, 110), 'n');
    default: return p.PickValueInArray(kNames);
  }
}

// One numeric field of `width` bytes, in an encoding the recipe picks.
std::string Numeric(FuzzedDataProvider& p, size_t width, int64_t value) {
  std::string f(width, '\0');
  switch (p.ConsumeIntegralInRange(0, 7)) {
    case 0: {  // Go's own spelling: zero-padded octal and a NUL.
      std::string digits = absl::StrFormat("%0*llo", static_cast<int>(width - 1),
                                           static_cast<unsigned long long>(value & 0x7fffffffffff));
      memcpy(&f[0], digits.data(), std::min(digits.size(), width));
      f[width - 1] = '\0';
      break;
    }
    case 1: {  // Spaces and NULs around the digits.
      std::string digits = absl::StrFormat(" %llo \0", static_cast<unsigned long long>(value & 0xffff));
      memcpy(&f[0], digits.data(), std::min(digits.size(), width));
      break;
    }
    case 2:
    case 3: {  // Base-256, any value, sign bit set or not.
      uint64_t v = p.ConsumeBool() ? static_cast<uint64_t>(value) : p.ConsumeIntegral<uint64_t>();
      for (size_t i = width; i-- > 0;) {
        f[i] = static_cast<char>(i + 8 >= width ? (v >> (8 * (width - 1 - i))) & 0xff
                                                : (static_cast<int64_t>(v) < 0 ? 0xff : 0));
      }
      f[0] = static_cast<char>(f[0] | 0x80);
      if (p.ConsumeBool()) f[1] = static_cast<char>(p.ConsumeIntegral<uint8_t>());
      break;
    }
    case 4: f = p.ConsumeBytesAsString(width); f.resize(width, '\0'); break;
    case 5: break;  // All NUL: zero.
    default: {
      std::string digits = absl::StrFormat("%llo", static_cast<unsigned long long>(value & 0xfff));
      memcpy(&f[0], digits.data(), std::min(digits.size(), width));
    }
  }
  return f;
}

void FixChecksum(FuzzedDataProvider& p, std::string* h) {
  memset(&(*h)[148], ' ', 8);
  int64_t sum = 0;
  for (unsigned char c : *h) sum += c;
  if (p.ConsumeIntegralInRange(0, 15) == 0) {  // Signed sum, or simply wrong.
    sum = 0;
    for (unsigned char c : *h) sum += static_cast<signed char>(c);
    if (p.ConsumeBool()) sum += p.ConsumeIntegralInRange(-3, 3);
  }
  std::string digits = absl::StrFormat("%06o", static_cast<unsigned long long>(sum) & 0777777);
  memcpy(&(*h)[148], digits.data(), 6);
  (*h)[154] = '\0';
}

std::string Header(FuzzedDataProvider& p, std::string name, char type, int64_t size,
                   std::string link = "") {
  std::string h(512, '\0');
  memcpy(&h[0], name.data(), std::min<size_t>(name.size(), 100));
  memcpy(&h[157], link.data(), std::min<size_t>(link.size(), 100));
  const struct { size_t at, width; int64_t value; } fields[] = {
      {100, 8, 0644}, {108, 8, 1000}, {116, 8, 1000}, {124, 12, size}, {136, 12, 1700000000},
      {329, 8, 0}, {337, 8, 0}};
  for (const auto& f : fields) {
    std::string v = absl::StrFormat("%0*llo", static_cast<int>(f.width - 1),
                                    static_cast<unsigned long long>(f.value & 077777777777));
    v.push_back('\0');
    if (p.ConsumeIntegralInRange(0, 5) == 0) v = Numeric(p, f.width, f.value);
    memcpy(&h[f.at], v.data(), f.width);
  }
  h[156] = type;
  static const char* const kMagic[] = {"ustar\0" "00", "ustar  \0", "ustar\0" "xx", "\0\0\0\0\0\0\0\0",
                                       "ustar \0\0"};
  memcpy(&h[257], p.PickValueInArray(kMagic), 8);
  switch (p.ConsumeIntegralInRange(0, 4)) {
    case 0: { std::string prefix = PickName(p); memcpy(&h[345], prefix.data(), std::min<size_t>(prefix.size(), 155)); break; }
    case 1: memcpy(&h[508], "tar\0", 4); break;
    case 2: { std::string t = Numeric(p, 12, 1800000000); memcpy(&h[345], t.data(), 12); break; }
    default: break;
  }
  FixChecksum(p, &h);
  return h;
}

void Pad(std::string* tar, size_t n) { tar->append((512 - n % 512) % 512, '\0'); }

std::string PaxData(FuzzedDataProvider& p) {
  std::string data;
  for (int i = p.ConsumeIntegralInRange(0, 4); i > 0; --i) {
    std::string key = p.ConsumeBool() ? p.PickValueInArray(kKeys) : p.ConsumeRandomLengthString(12);
    std::string value = p.ConsumeBool() ? p.PickValueInArray(kValues) : p.ConsumeRandomLengthString(40);
    std::string body = absl::StrCat(" ", key, "=", value, "\n");
    size_t len = body.size() + 1;
    while (absl::StrCat(len).size() + body.size() != len) ++len;
    if (p.ConsumeIntegralInRange(0, 9) == 0) len += p.ConsumeIntegralInRange(-2, 2);
    absl::StrAppend(&data, len, body);
  }
  return data;
}

std::string Build(FuzzedDataProvider& p) {
  std::string tar;
  for (int i = p.ConsumeIntegralInRange(1, 8); i > 0 && p.remaining_bytes() > 0; --i) {
    const int kind = p.ConsumeIntegralInRange(0, 10);
    std::string data;
    char type = '0';
    std::string name = PickName(p), link;
    switch (kind) {
      case 0: data = p.ConsumeRandomLengthString(1200); break;
      case 1: type = static_cast<char>('1' + p.ConsumeIntegralInRange(0, 5)); link = PickName(p); break;
      case 2: type = 'x'; data = PaxData(p); break;
      case 3: type = 'g'; data = PaxData(p); break;
      case 4: type = 'L'; data = PickName(p) + std::string(1, '\0'); break;
      case 5: type = 'K'; data = PickName(p) + std::string(1, '\0'); break;
      case 6: tar.append(512, '\0'); continue;
      case 7: tar += p.ConsumeRandomLengthString(600); continue;
      case 8: type = '\0'; data = std::string(p.ConsumeIntegralInRange(0, 2) * 512, 'd'); break;
      case 9: type = 'S'; break;
      default: type = static_cast<char>(p.ConsumeIntegral<uint8_t>()); data = p.ConsumeRandomLengthString(100);
    }
    int64_t size = static_cast<int64_t>(data.size());
    if (p.ConsumeIntegralInRange(0, 7) == 0) size += p.ConsumeIntegralInRange(-600, 600);
    tar += Header(p, name, type, size, link);
    tar += data;
    Pad(&tar, data.size());
  }
  if (p.ConsumeBool()) tar.append(1024, '\0');
  if (p.ConsumeIntegralInRange(0, 7) == 0 && !tar.empty()) {
    tar.resize(p.ConsumeIntegralInRange<size_t>(0, tar.size()));
  }
  return tar;
}

struct Reading {
  std::vector<TarEntry> entries;
  absl::Status status;
};

Reading Read(absl::string_view tar, size_t chunk) {
  Reading r;
  TarReader reader([&r](const TarEntry& e) {
    r.entries.push_back(e);
    return absl::OkStatus();
  });
  for (size_t i = 0; i < tar.size() && r.status.ok(); i += chunk) {
    r.status = reader.Append(tar.substr(i, chunk));
  }
  if (r.status.ok()) r.status = reader.Finish();
  return r;
}

class StringSink : public imagewriter::ByteSink {
 public:
  absl::Status Append(absl::string_view data) override {
    out.append(data.data(), data.size());
    return absl::OkStatus();
  }
  absl::Status Finish() override { return absl::OkStatus(); }
  std::string out;
};

bool Same(const TarEntry& a, const TarEntry& b) {
  return a.path == b.path && a.link_name == b.link_name && a.type == b.type && a.size == b.size &&
         a.mode == b.mode && a.uid == b.uid && a.gid == b.gid;
}

void Dump(const std::string& tar) {
  const char* dir = getenv("TAR_HEADER_FUZZ_DUMP");
  if (dir == nullptr) return;
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : tar) h = (h ^ c) * 1099511628211ULL;
  std::string path = absl::StrFormat("%s/%016x.tar", dir, h);
  if (FILE* f = fopen(path.c_str(), "wb")) {
    fwrite(tar.data(), 1, tar.size(), f);
    fclose(f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const int64_t epoch = p.ConsumeIntegralInRange<int64_t>(0, 1LL << 33);
  const size_t chunk = p.ConsumeIntegralInRange<size_t>(1, 1024);
  const std::string tar = Build(p);
  Dump(tar);
  const Reading whole = Read(tar, tar.size() + 1), chunked = Read(tar, chunk);
  if (whole.status != chunked.status || whole.entries.size() != chunked.entries.size()) abort();
  for (size_t i = 0; i < whole.entries.size(); ++i) {
    if (!Same(whole.entries[i], chunked.entries[i]) ||
        whole.entries[i].mtime != chunked.entries[i].mtime) {
      abort();
    }
  }
  StringSink sink;
  imagewriter::TimestampClamp clamp(epoch, &sink);
  absl::Status clamped = clamp.Append(tar);
  if (clamped.ok()) clamped = clamp.Finish();
  if (clamped.ok() != whole.status.ok()) abort();  // Refuses exactly what the reader refuses.
  if (!clamped.ok()) return 0;
  const Reading again = Read(sink.out, sink.out.size() + 1);
  if (!again.status.ok() || again.entries.size() != whole.entries.size()) abort();
  for (size_t i = 0; i < whole.entries.size(); ++i) {
    const int64_t want = std::min(whole.entries[i].mtime, epoch);
    if (!Same(whole.entries[i], again.entries[i]) || again.entries[i].mtime != want) abort();
  }
  return 0;
}
