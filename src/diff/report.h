// DiffReport: what `imagewriter diff` found, as a list of first causes.
//
// Each Difference is one cause, named where it lives: the scope (the
// platform of the manifest it was found under, when the images are
// indexes), what kind of thing differs (index, manifest, config, layer
// entry, compression, media type), the subject (a JSON path such as
// `.config.Env[2]`, or `layers[0] etc/passwd`), the field and both values.
// Consequences (digests that differ only because something they point to
// does) are never recorded. A report holds at most kMaxDifferences; the
// rest are only counted, so a hostile pair cannot make it grow without
// bound.
#ifndef IMAGEWRITER_DIFF_REPORT_H_
#define IMAGEWRITER_DIFF_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace imagewriter {

inline constexpr char kKindIndex[] = "index";
inline constexpr char kKindManifest[] = "manifest";
inline constexpr char kKindConfig[] = "config";
inline constexpr char kKindLayer[] = "layer";
inline constexpr char kKindCompression[] = "compression";
inline constexpr char kKindMediaType[] = "media-type";

// The text shown for a value one side does not have.
inline constexpr char kAbsent[] = "(absent)";

struct Difference {
  std::string scope;    // "linux/amd64", or empty for a single image.
  std::string kind;     // One of the kKind* names.
  std::string subject;  // JSON path or "layers[i] <path>".
  std::string field;    // "mode", "mtime", ...; empty when the subject is the field.
  std::string a, b;     // The values in A and in B (kAbsent when missing).
  std::string note;     // An explanation, e.g. the gzip header bytes.
};

class DiffReport {
 public:
  static constexpr size_t kMaxDifferences = 10000;

  void Add(Difference d);
  // Counts a difference without keeping it, as Add does past the limit.
  void Drop(uint64_t n = 1) { dropped_ += n; }
  bool identical() const { return differences_.empty() && dropped_ == 0; }
  const std::vector<Difference>& differences() const { return differences_; }
  uint64_t dropped() const { return dropped_; }
  // True when every difference is a media type: the same content under
  // other names (an OCI layout and a docker-archive of one image).
  bool only_media_types() const;

  // One line per difference, at most `max_lines`, then how many more.
  std::string ToText(size_t max_lines = 40) const;
  // {"identical": bool, "summary": "...", "differences": [...], "omitted": n}
  std::string ToJson() const;

 private:
  std::vector<Difference> differences_;
  uint64_t dropped_ = 0;
};

// "<scope>: <kind> <subject>: <field> <a> -> <b> (<note>)", parts omitted
// when empty.
std::string DescribeDifference(const Difference& d);

}  // namespace imagewriter

#endif  // IMAGEWRITER_DIFF_REPORT_H_
