// Descriptor files: the descriptor JSON `imagewriter layer` and `image`
// write next to their blobs, which later steps (image, index, layout) read.
//
// Reading a file is I/O, which the OCI model (src/oci) leaves to its
// callers; this is that caller for every step. Errors name the file.
#ifndef IMAGEWRITER_LAYOUT_DESCRIPTOR_FILE_H_
#define IMAGEWRITER_LAYOUT_DESCRIPTOR_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/oci/descriptor.h"

namespace imagewriter {

absl::StatusOr<Descriptor> ReadDescriptorFile(const std::string& file);

}  // namespace imagewriter

#endif  // IMAGEWRITER_LAYOUT_DESCRIPTOR_FILE_H_
