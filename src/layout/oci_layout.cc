#include "src/layout/oci_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "src/io/file.h"
#include "src/layout/blob_source.h"
#include "src/layout/image_reader.h"
#include "src/json/writer.h"
#include "src/oci/media_types.h"

namespace imagewriter {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(path, ": ", what, ": ", strerror(errno)));
}

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir failed", path);
  // mkdir honours the umask; the layout's modes must not.
  if (chmod(path.c_str(), 0755) != 0) return Errno("chmod failed", path);
  return absl::OkStatus();
}

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path);
}

void RemoveTree(const std::string& path) {
  nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Whether `descriptor` (reachable, under `name`) is one of the absent blobs;
// an absent blob whose size differs from the image's descriptor is an error.
absl::StatusOr<bool> DeclaredAbsent(const OciLayoutSpec& spec, const std::string& name,
                                    const Descriptor& descriptor) {
  for (const Descriptor& absent : spec.absent) {
    if (absent.digest != descriptor.digest) continue;
    if (absent.size != descriptor.size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "absent blob ", absent.digest.ToString(), ": its descriptor says ", absent.size,
          " bytes but the image's says ", descriptor.size, " (", name, ")"));
    }
    return true;
  }
  return false;
}

// Brings in, from the bases, every reachable blob the layout lacks and
// that is not declared absent.
absl::Status FillFromBases(const OciLayoutSpec& spec, const std::string& layout) {
  std::unique_ptr<BlobSource> self = OpenLayoutDirectory(layout);
  std::map<std::string, Descriptor> reachable;
  for (const Descriptor& root : spec.roots) {
    absl::Status s = ReachableBlobs(*self, root, &reachable);
    if (!s.ok()) return s;
  }
  std::vector<std::unique_ptr<BlobSource>> bases;
  for (const std::string& base : spec.bases) {
    absl::StatusOr<std::unique_ptr<BlobSource>> source = OpenBlobSource(base);
    if (!source.ok()) return source.status();
    bases.push_back(*std::move(source));
  }
  for (const auto& [name, descriptor] : reachable) {
    if (self->Has(name)) continue;
    absl::StatusOr<bool> absent = DeclaredAbsent(spec, name, descriptor);
    if (!absent.ok()) return absent.status();
    if (*absent) continue;
    const std::string target = absl::StrCat(layout, "/", name);
    bool found = false;
    for (size_t i = 0; i < bases.size() && !found; ++i) {
      absl::StatusOr<uint64_t> size = bases[i]->Size(name);
      if (!size.ok()) continue;
      if (static_cast<int64_t>(*size) != descriptor.size) {
        return absl::DataLossError(absl::StrCat(bases[i]->Describe(name), ": ", *size,
                                                " bytes but its descriptor says ", descriptor.size));
      }
      found = true;
      // blobs/sha256 is always there; blobs/sha512 only when a base brings
      // a blob so named.
      absl::Status s = MakeDir(target.substr(0, target.rfind('/')));
      if (!s.ok()) return s;
      struct stat st;
      const std::string base_file = absl::StrCat(spec.bases[i], "/", name);
      if (!spec.copy_bases && stat(spec.bases[i].c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        s = LinkOrCopy(base_file, target);
      } else {
        absl::StatusOr<AtomicFile> out = AtomicFile::Create(target);
        if (!out.ok()) return out.status();
        s = bases[i]->Stream(name, &*out);
        if (s.ok()) s = out->Commit();
      }
      if (!s.ok()) return s;
    }
    if (!found) {
      return absl::NotFoundError(absl::StrCat(name, " (", descriptor.media_type,
                                              ") is reachable from the image but no input or base holds it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string LayoutIndexJson(const std::vector<Descriptor>& roots) {
  std::vector<json::Value> manifests;
  for (const Descriptor& d : roots) manifests.push_back(d.ToJson());
  json::Value index = json::Value::Object();
  index.Set("schemaVersion", json::Value::Int(2));
  index.Set("mediaType", json::Value::String(kOciIndex));
  index.Set("manifests", json::Value::Array(std::move(manifests)));
  return json::Indent(index);
}

absl::Status WriteOciLayout(const OciLayoutSpec& spec) {
  // The temporary's base is cut short if need be, so that a directory name
  // of NAME_MAX bytes still has a valid temporary sibling.
  std::string temp = TempSiblingTemplate(spec.directory);
  if (mkdtemp(temp.data()) == nullptr) return Errno("cannot create temporary directory", temp);
  auto fail = [&](absl::Status s) {
    RemoveTree(temp);
    return s;
  };
  const std::string blobs = absl::StrCat(temp, "/blobs/sha256");
  for (const std::string& dir : {temp, absl::StrCat(temp, "/blobs"), blobs}) {
    absl::Status s = MakeDir(dir);
    if (!s.ok()) return fail(s);
  }
  absl::Status s = WriteFileAtomically(absl::StrCat(temp, "/oci-layout"),
                                       R"({"imageLayoutVersion":"1.0.0"})");
  if (s.ok()) s = WriteFileAtomically(absl::StrCat(temp, "/index.json"), LayoutIndexJson(spec.roots));
  if (!s.ok()) return fail(s);

  for (const std::string& file : spec.metadata_blobs) {
    absl::StatusOr<std::string> bytes = ReadFileToString(file);
    if (!bytes.ok()) return fail(bytes.status());
    const std::string target = absl::StrCat(blobs, "/", Digest::Sha256Of(*bytes).encoded());
    if (Exists(target)) continue;
    s = WriteFileAtomically(target, *bytes);
    if (!s.ok()) return fail(s);
  }
  for (const LayoutBlobFile& blob : spec.blob_files) {
    if (blob.descriptor.digest.algorithm() != "sha256") {
      return fail(absl::InvalidArgumentError(absl::StrCat(
          blob.path, ": only sha256 blobs can go in the layout, got ",
          blob.descriptor.digest.ToString())));
    }
    struct stat st;
    if (stat(blob.path.c_str(), &st) != 0) return fail(Errno("cannot stat blob", blob.path));
    if (st.st_size != blob.descriptor.size) {
      return fail(absl::InvalidArgumentError(absl::StrCat(
          blob.path, ": blob is ", st.st_size, " bytes but its descriptor says ",
          blob.descriptor.size)));
    }
    const std::string target = absl::StrCat(blobs, "/", blob.descriptor.digest.encoded());
    if (Exists(target)) continue;
    s = LinkOrCopy(blob.path, target);
    if (!s.ok()) return fail(s);
  }

  s = FillFromBases(spec, temp);
  if (!s.ok()) return fail(s);

  // Replace the destination only if it is absent or an empty directory
  // (Bazel creates tree-artifact directories before running the action).
  if (rmdir(spec.directory.c_str()) != 0 && errno != ENOENT) {
    return fail(Errno("output directory exists and is not empty", spec.directory));
  }
  if (rename(temp.c_str(), spec.directory.c_str()) != 0) {
    return fail(Errno("cannot rename layout into place", spec.directory));
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
