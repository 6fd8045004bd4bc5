#include "src/layout/descriptor_file.h"

#include "src/io/file.h"
#include "src/json/parser.h"

namespace imagewriter {

absl::StatusOr<Descriptor> ReadDescriptorFile(const std::string& file) {
  absl::StatusOr<std::string> text = ReadFileToString(file);
  if (!text.ok()) return text.status();
  absl::StatusOr<json::Value> v = json::Parse(std::move(*text), file);
  if (!v.ok()) return v.status();
  return Descriptor::FromJson(*v, file);
}

}  // namespace imagewriter
