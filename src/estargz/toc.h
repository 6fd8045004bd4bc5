// The eStargz table of contents (TOC): its entries and their JSON, byte for
// byte as stargz-snapshotter's estargz package writes them
// (estargz/types.go JTOC and TOCEntry, marshalled by gzip.go
// WriteTOCAndFooter with json.MarshalIndent(toc, "", "\t")).
//
// The JSON is {"version": 1, "entries": [...]} with tab indentation, ": "
// after keys, no trailing newline and Go's HTML-safe string escaping; an
// empty entry list is `null`, as Go writes a nil slice. Fields are in
// TOCEntry's order and, name and type aside, left out when zero or empty
// (Go's omitempty).
#ifndef IMAGEWRITER_ESTARGZ_TOC_H_
#define IMAGEWRITER_ESTARGZ_TOC_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace imagewriter {
namespace estargz {

// The TOC's file name inside its own tar (estargz.TOCTarName).
inline constexpr char kTocTarName[] = "stargz.index.json";
// Descriptor annotations (estargz.TOCJSONDigestAnnotation and
// StoreUncompressedSizeAnnotation).
inline constexpr char kTocDigestAnnotation[] = "containerd.io/snapshot/stargz/toc.digest";
inline constexpr char kUncompressedSizeAnnotation[] = "io.containers.estargz.uncompressed-size";

struct TocEntry {
  std::string name;  // The tar entry's name, as the tar has it (not cleaned).
  std::string type;  // dir reg symlink hardlink char block fifo chunk
  int64_t size = 0;
  std::string modtime;  // RFC 3339, UTC, whole seconds; "" for none.
  std::string link_name;
  int64_t mode = 0;
  int64_t uid = 0, gid = 0;
  std::string uname, gname;
  int64_t offset = 0;  // Of the gzip member the data starts, in the blob.
  int64_t dev_major = 0, dev_minor = 0;
  std::map<std::string, std::string> xattrs;  // Raw values; base64 in JSON.
  std::string digest;  // sha256 of the whole file, on reg entries.
  int64_t chunk_offset = 0;
  int64_t chunk_size = 0;
  std::string chunk_digest;
};

// The TOC's JSON.
std::string TocJson(const std::vector<TocEntry>& entries);

// The TOC type of a tar typeflag, as estargz.go appendTar's switch names
// it; "" for a type eStargz cannot hold.
const char* TocType(char tar_type);

// The most memory the TOC's entries may take, as TocEntryMemory counts it,
// in the writer and in a reader. Bounded apart from the JSON (kMaxTocBytes)
// because an entry takes several times its JSON's size in memory.
inline constexpr uint64_t kMaxTocMemoryBytes = 512 << 20;

// The bytes an entry takes in memory: the struct and what its strings and
// xattrs hold on the heap (not the spare capacity of a vector of them).
size_t TocEntryMemory(const TocEntry& entry);

// The bytes one entry adds to TocJson's output, as the entry stands (its
// separator included); fields set later only add to it.
size_t TocEntryJsonSize(const TocEntry& entry);

// A modtime as TOCEntry has it (estargz.go formatModtime): the time rounded
// to the nearest second, half up, in RFC 3339 UTC; "" when its Unix seconds
// are 0.
std::string FormatModtime(int64_t seconds, int32_t nanos);

// The name with path.Clean("/"+name) applied and the leading "/" dropped
// (estargz.go cleanEntryName): how the estargz package compares names.
std::string CleanEntryName(absl::string_view name);

}  // namespace estargz
}  // namespace imagewriter

#endif  // IMAGEWRITER_ESTARGZ_TOC_H_
