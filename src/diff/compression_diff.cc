// CompareCompression (layer_diff.h): two blobs of the same tar.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/compress/compression.h"
#include "src/diff/blob_check.h"
#include "src/diff/layer_diff.h"

namespace imagewriter {
namespace {

// Enough of a blob for its gzip header (a name or comment longer than this
// is cut, which still shows that it differs) and for where the compressed
// streams part.
constexpr size_t kPrefixBytes = 1 << 20;
constexpr size_t kShownHeaderBytes = 10;

struct GzipHeader {
  int flags = 0;
  uint32_t mtime = 0;
  int xfl = 0, os = 0;
  std::string extra, name, comment;
};

// RFC 1952 section 2.3. Null when the prefix is no gzip header.
std::optional<GzipHeader> ParseGzipHeader(const std::string& p) {
  if (p.size() < 10 || static_cast<unsigned char>(p[0]) != 0x1f || static_cast<unsigned char>(p[1]) != 0x8b) {
    return std::nullopt;
  }
  auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  GzipHeader h;
  h.flags = byte(3);
  h.mtime = byte(4) | byte(5) << 8 | byte(6) << 16 | static_cast<uint32_t>(byte(7)) << 24;
  h.xfl = byte(8);
  h.os = byte(9);
  size_t at = 10;
  if ((h.flags & 4) && at + 2 <= p.size()) {
    const size_t len = byte(at) | byte(at + 1) << 8;
    h.extra = p.substr(at + 2, len);
    at += 2 + len;
  }
  auto zero_terminated = [&](std::string* out) {
    if (at >= p.size()) return;
    const size_t end = p.find('\0', at);
    *out = p.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? p.size() : end + 1;
  };
  if (h.flags & 8) zero_terminated(&h.name);
  if (h.flags & 16) zero_terminated(&h.comment);
  return h;
}

std::string Hex(const std::string& bytes, size_t n) {
  std::string out;
  for (size_t i = 0; i < std::min(n, bytes.size()); ++i) {
    absl::StrAppendFormat(&out, "%s%02x", i == 0 ? "" : " ", static_cast<unsigned char>(bytes[i]));
  }
  return out;
}

std::string XflText(int xfl) {
  if (xfl == 2) return "2 (slowest, best compression)";
  if (xfl == 4) return "4 (fastest)";
  return absl::StrCat(xfl);
}

std::string OsText(int os) {
  switch (os) {
    case 0: return "0 (FAT)";
    case 3: return "3 (Unix)";
    case 7: return "7 (Macintosh)";
    case 11: return "11 (NTFS)";
    case 255: return "255 (unknown)";
    default: return absl::StrCat(os);
  }
}

struct Field {
  const char* name;
  std::string a, b;
};

std::vector<Field> GzipFields(const GzipHeader& a, const GzipHeader& b) {
  auto quoted = [](const std::string& s) { return absl::StrCat("\"", s, "\""); };
  return {
      {"gzip header MTIME", absl::StrCat(a.mtime), absl::StrCat(b.mtime)},
      {"gzip header XFL", XflText(a.xfl), XflText(b.xfl)},
      {"gzip header OS", OsText(a.os), OsText(b.os)},
      {"gzip header FLG", absl::StrFormat("0x%02x", a.flags), absl::StrFormat("0x%02x", b.flags)},
      {"gzip header name", quoted(a.name), quoted(b.name)},
      {"gzip header comment", quoted(a.comment), quoted(b.comment)},
      {"gzip header extra field", Hex(a.extra, 32), Hex(b.extra, 32)},
  };
}

size_t FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// Keeps the first `max` bytes of what passes through it.
class PrefixSink : public ByteSink {
 public:
  explicit PrefixSink(size_t max) : max_(max) {}
  absl::Status Append(absl::string_view data) override {
    if (bytes_.size() < max_) bytes_.append(data.data(), std::min(data.size(), max_ - bytes_.size()));
    return absl::OkStatus();
  }
  std::string& bytes() { return bytes_; }

 private:
  size_t max_;
  std::string bytes_;
};

// The blob's first kPrefixBytes; the blob is streamed whole to check it
// on the same read unless it was checked already.
absl::StatusOr<std::string> Prefix(const LayerBlob& blob) {
  if (blob.checked) return blob.source->ReadPrefix(blob.name, kPrefixBytes);
  PrefixSink prefix(kPrefixBytes);
  absl::Status s = VerifyBlob(*blob.source, blob.name, blob.digest, &prefix);
  if (!s.ok()) return s;
  return std::move(prefix.bytes());
}

}  // namespace

absl::Status CompareCompression(const LayerBlob& a, const LayerBlob& b, const Difference& base,
                                DiffReport* report) {
  absl::StatusOr<std::string> x = Prefix(a);
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = Prefix(b);
  if (!y.ok()) return y.status();
  const Compression cx = DetectCompression(*x), cy = DetectCompression(*y);
  Difference d = base;
  d.kind = kKindCompression;
  if (cx != cy) {
    d.field = "codec";
    d.a = std::string(CompressionName(cx));
    d.b = std::string(CompressionName(cy));
    d.note = "the same tar, compressed differently";
    report->Add(std::move(d));
    return absl::OkStatus();
  }
  const std::optional<GzipHeader> gx = ParseGzipHeader(*x), gy = ParseGzipHeader(*y);
  bool header_differs = false;
  if (gx && gy) {
    for (const Field& f : GzipFields(*gx, *gy)) {
      if (f.a == f.b) continue;
      header_differs = true;
      Difference h = d;
      h.field = f.name;
      h.a = f.a;
      h.b = f.b;
      h.note = absl::StrCat("the same tar; header bytes ", Hex(*x, kShownHeaderBytes), " vs ",
                            Hex(*y, kShownHeaderBytes));
      report->Add(std::move(h));
    }
  }
  if (header_differs) return absl::OkStatus();
  absl::StatusOr<uint64_t> sx = a.source->Size(a.name), sy = b.source->Size(b.name);
  d.field = absl::StrCat(CompressionName(cx), " stream");
  d.a = absl::StrCat(sx.ok() ? *sx : 0, " bytes");
  d.b = absl::StrCat(sy.ok() ? *sy : 0, " bytes");
  const size_t at = FirstDifference(*x, *y);
  d.note = absl::StrCat("the same tar and header, compressed bytes differ from byte ",
                        at < kPrefixBytes ? absl::StrCat(at) : absl::StrCat("past ", kPrefixBytes),
                        ": another encoder or compression level");
  report->Add(std::move(d));
  return absl::OkStatus();
}

}  // namespace imagewriter
