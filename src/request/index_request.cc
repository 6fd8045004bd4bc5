#include "src/request/index_request.h"

#include "src/base/status.h"
#include "src/layout/descriptor_file.h"
#include "src/proto/request.pb.h"
#include "src/request/key_value_files.h"
#include "src/request/request_file.h"

namespace imagewriter {

absl::StatusOr<IndexSpec> ReadIndexRequest(const std::string& path) {
  proto::IndexRequest request;
  absl::Status s = ReadRequestFile(path, &request);
  if (!s.ok()) return s;
  IndexSpec spec;
  for (const std::string& file : request.manifests()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(file);
    if (!d.ok()) return d.status();
    spec.manifests.push_back(*std::move(d));
  }
  for (const std::string& file : request.attestations()) {
    absl::StatusOr<Descriptor> d = ReadDescriptorFile(file);
    if (!d.ok()) return d.status();
    spec.attestations.push_back(*std::move(d));
  }
  spec.annotations.insert(request.annotations().begin(), request.annotations().end());
  s = MergeKeyValueFiles({request.annotation_files().begin(), request.annotation_files().end()},
                         "annotation", &spec.annotations);
  if (!s.ok()) return s;
  absl::StatusOr<MediaFlavor> flavor = ParseMediaFlavor(request.media_types());
  if (!flavor.ok()) return WithContext(path, flavor.status());
  spec.flavor = *flavor;
  return spec;
}

absl::StatusOr<IndexOutput> BuildIndexFromRequest(const std::string& path) {
  absl::StatusOr<IndexSpec> spec = ReadIndexRequest(path);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<IndexOutput> index = BuildIndex(*spec);
  if (!index.ok()) return WithContext(path, index.status());
  return index;
}

}  // namespace imagewriter
