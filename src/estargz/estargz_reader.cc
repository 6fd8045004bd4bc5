#include "src/estargz/estargz_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/compress/compression.h"
#include "src/compress/decompression_guard.h"
#include "src/estargz/footer.h"
#include "src/estargz/toc_parse.h"
#include "src/tar/tar_reader.h"

namespace imagewriter {
namespace {

absl::Status ReadAt(int fd, const std::string& path, uint64_t offset, size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    const ssize_t r = pread(fd, &(*out)[got], n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      return absl::DataLossError(absl::StrCat(path, ": cannot read at offset ", offset + got, ": ",
                                              r == 0 ? "unexpected end of file" : strerror(errno)));
    }
    got += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

// The TOC tar beyond its JSON: a header, padding and the end-of-archive
// blocks, with room to spare for extension records.
constexpr uint64_t kTocTarSlack = 64 << 10;
// The largest TOC region (compressed) read: the largest TOC tar in stored
// deflate blocks (5 bytes per 65535) and gzip framing, with room to spare.
constexpr uint64_t kMaxTocRegionBytes =
    kMaxTocBytes + kTocTarSlack + (kMaxTocBytes >> 10) + (1 << 20);

absl::Status DecodeTocTar(int fd, const std::string& path, uint64_t from, uint64_t to,
                          estargz::TocTarSink* toc) {
  if (to - from > kMaxTocRegionBytes) {
    return absl::ResourceExhaustedError(absl::StrCat("the TOC region is ", to - from,
                                                     " bytes, over ", kMaxTocRegionBytes));
  }
  // The decoded TOC tar is bounded, so a gzip bomb at the TOC offset stops
  // after kMaxTocBytes and a little, not at its end.
  CountingSink compressed;
  DecompressionGuard guard({kMaxTocBytes + kTocTarSlack, 0}, &compressed, toc);
  std::unique_ptr<ByteSink> decoder = NewDecoder(Compression::kGzip, &guard);
  std::string piece;
  for (uint64_t at = from; at < to; at += piece.size()) {
    absl::Status status = ReadAt(fd, path, at, std::min<uint64_t>(1 << 20, to - at), &piece);
    if (status.ok()) status = compressed.Append(piece);
    if (status.ok()) status = decoder->Append(piece);
    if (!status.ok()) return status;
  }
  return decoder->Finish();
}

}  // namespace

absl::StatusOr<std::optional<EstargzBlob>> DetectEstargz(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return absl::DataLossError(absl::StrCat(path, ": ", strerror(errno)));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (!S_ISREG(st.st_mode) || size < estargz::kFooterSize) return std::nullopt;
  std::string footer;
  absl::Status status = ReadAt(fd, path, size - estargz::kFooterSize, estargz::kFooterSize, &footer);
  if (!status.ok()) return status;
  absl::StatusOr<uint64_t> toc_offset = estargz::ParseFooter(footer);
  if (!toc_offset.ok() || *toc_offset >= size - estargz::kFooterSize) return std::nullopt;
  estargz::TocTarSink toc(kMaxTocBytes);
  status = DecodeTocTar(fd, path, *toc_offset, size, &toc);
  // Not what Is() calls eStargz (decoding stopped there, or ended so).
  if (toc.not_toc() || (status.ok() && !toc.is_toc())) return std::nullopt;
  EstargzBlob blob;
  blob.toc_offset = *toc_offset;
  if (status.ok()) {
    blob.toc_digest = Digest::Sha256Of(toc.json());
    absl::StatusOr<std::vector<estargz::TocEntry>> entries =
        estargz::ParseToc(std::move(toc.json()));
    status = entries.status();
    if (entries.ok()) {
      blob.entries = std::make_shared<const std::vector<estargz::TocEntry>>(*std::move(entries));
    }
  }
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(path, ": has an eStargz footer, but its TOC at offset ",
                                     *toc_offset, " is broken: ", status.message()));
  }
  return blob;
}

}  // namespace imagewriter
