#include "src/layout/archive_writer.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "src/digest/digest_sink.h"
#include "src/io/file.h"
#include "src/json/writer.h"
#include "src/layout/blob_source.h"
#include "src/layout/image_reader.h"
#include "src/layout/oci_layout.h"
#include "src/oci/annotations.h"
#include "src/oci/reference.h"
#include "src/tar/tar_writer.h"

namespace imagewriter {
namespace {

// The archive's contents, by path: either bytes we made or a source file.
struct Entry {
  std::string bytes;
  std::string source_name;  // Empty: use bytes.
  Descriptor descriptor;    // Of the source file: what it must be.
};

std::string NameOf(const Descriptor& d) { return BlobPath(d.digest.algorithm(), d.digest.encoded()); }

// Adds every blob reachable from `root` to `entries`, read from the source.
absl::Status CollectBlobs(const BlobSource& source, const Descriptor& root,
                          std::map<std::string, Entry>* entries) {
  std::map<std::string, Descriptor> blobs;
  absl::Status s = ReachableBlobs(source, root, &blobs);
  if (!s.ok()) return s;
  for (const auto& [name, descriptor] : blobs) (*entries)[name] = Entry{"", name, descriptor};
  return absl::OkStatus();
}

// Streams a blob into the tar, hashing it on the way, as `skopeo copy`
// does: a blob that is not what its descriptor says fails the archive
// (whose temporary file is then removed) instead of shipping.
absl::Status CopyVerifiedBlob(const BlobSource& source, const Entry& entry, TarWriter* tar) {
  const Descriptor& d = entry.descriptor;
  const std::string& name = entry.source_name;
  absl::StatusOr<uint64_t> size = source.Size(name);
  if (!size.ok()) return size.status();
  if (*size != static_cast<uint64_t>(d.size)) {
    return absl::DataLossError(absl::StrCat(source.Describe(name), ": ", *size,
                                            " bytes but its descriptor says ", d.size));
  }
  TarHeader h;
  h.path = name;
  h.size = *size;
  absl::Status s = tar->WriteHeader(h);
  if (!s.ok()) return s;
  // With the descriptor's own algorithm: a blob is checked whichever of
  // the registered ones (sha256, sha512) names it.
  DigestSink hash(d.digest.algorithm());
  TeeSink both({tar, &hash});
  s = source.Stream(name, &both);
  if (s.ok()) s = hash.Finish();
  if (!s.ok()) return s;
  if (hash.digest() != d.digest) {
    return absl::DataLossError(absl::StrCat(source.Describe(name), ": content hashes to ",
                                            hash.digest().ToString(), ", not its digest"));
  }
  return absl::OkStatus();
}

absl::Status WriteEntries(const BlobSource& source, const std::map<std::string, Entry>& entries,
                          const std::string& output) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(output);
  if (!file.ok()) return file.status();
  TarWriter tar(&*file);
  // Parent directories, explicitly, before their contents.
  std::set<std::string> dirs;
  for (const auto& [path, entry] : entries) {
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      dirs.insert(path.substr(0, slash + 1));
    }
  }
  std::map<std::string, const Entry*> all;
  for (const std::string& dir : dirs) all[dir] = nullptr;
  for (const auto& [path, entry] : entries) all[path] = &entry;
  for (const auto& [path, entry] : all) {
    TarHeader h;
    h.path = path;
    absl::Status s;
    if (entry == nullptr) {
      h.type = '5';
      h.mode = 0755;
      s = tar.WriteHeader(h);
    } else if (entry->source_name.empty()) {
      h.size = entry->bytes.size();
      s = tar.WriteHeader(h);
      if (s.ok()) s = tar.Append(entry->bytes);
    } else {
      s = CopyVerifiedBlob(source, *entry, &tar);
    }
    if (!s.ok()) return s;
  }
  absl::Status s = tar.Finish();
  if (!s.ok()) return s;
  return file->Commit();
}

}  // namespace

absl::Status WriteArchive(const ArchiveOptions& options) {
  std::vector<Reference> tags;
  for (const std::string& tag : options.repo_tags) {
    absl::StatusOr<Reference> r = ParseRepoTag(tag);
    if (!r.ok()) return r.status();
    tags.push_back(*r);
  }
  absl::StatusOr<std::unique_ptr<BlobSource>> source = OpenBlobSource(options.layout);
  if (!source.ok()) return source.status();
  absl::StatusOr<std::vector<Descriptor>> roots = ReadLayoutIndex(**source);
  if (!roots.ok()) return roots.status();
  if (roots->empty()) {
    return absl::InvalidArgumentError(absl::StrCat((*source)->Describe("index.json"),
                                                   ": lists no manifest"));
  }
  // One root: the layout's first entry. A layout with several is ambiguous.
  std::vector<Descriptor> distinct;
  for (const Descriptor& d : *roots) {
    bool seen = false;
    for (const Descriptor& e : distinct) seen = seen || e.digest == d.digest;
    if (!seen) distinct.push_back(d);
  }
  if (distinct.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat((*source)->Describe("index.json"), ": lists ",
                                                   distinct.size(), " images; expected one"));
  }
  Descriptor root = distinct[0];
  root.annotations.erase(kAnnotationRefName);
  root.annotations.erase(kAnnotationContainerdName);

  std::map<std::string, Entry> entries;
  entries["oci-layout"] = Entry{R"({"imageLayoutVersion":"1.0.0"})", ""};
  if (options.format == ArchiveFormat::kOci) {
    absl::Status s = CollectBlobs(**source, root, &entries);
    if (!s.ok()) return s;
    std::vector<Descriptor> index_entries;
    if (tags.empty()) index_entries.push_back(root);
    for (const std::string& tag : options.repo_tags) {
      Descriptor d = root;
      d.annotations[kAnnotationRefName] = tag;
      index_entries.push_back(d);
    }
    entries["index.json"] = Entry{LayoutIndexJson(index_entries), ""};
    return WriteEntries(**source, entries, options.output);
  }

  absl::StatusOr<ImageManifest> image = ResolveImage(**source, root, options.platform);
  if (!image.ok()) return image.status();
  Descriptor manifest = image->descriptor;
  manifest.platform.reset();
  absl::Status s = CollectBlobs(**source, manifest, &entries);
  if (!s.ok()) return s;
  std::vector<Descriptor> index_entries;
  if (tags.empty()) index_entries.push_back(manifest);
  json::Value repo_tags = json::Value::Array();
  for (size_t i = 0; i < tags.size(); ++i) {
    Descriptor d = manifest;
    d.annotations[kAnnotationContainerdName] = absl::StrCat(tags[i].FamiliarToFull(), ":", tags[i].tag);
    d.annotations[kAnnotationRefName] = tags[i].tag;
    index_entries.push_back(d);
    repo_tags.Append(json::Value::String(options.repo_tags[i]));
  }
  entries["index.json"] = Entry{LayoutIndexJson(index_entries), ""};
  std::vector<std::string> layer_paths;
  for (const Descriptor& layer : image->layers) layer_paths.push_back(NameOf(layer));
  json::Value item = json::Value::Object({{"Config", json::Value::String(NameOf(image->config))},
                                          {"RepoTags", repo_tags},
                                          {"Layers", json::Value::StringArray(layer_paths)}});
  entries["manifest.json"] = Entry{json::Compact(json::Value::Array({item})), ""};
  return WriteEntries(**source, entries, options.output);
}

}  // namespace imagewriter
