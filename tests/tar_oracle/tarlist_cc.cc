// tarlist_cc lists a tar as imagewriter's TarReader reads it, in the format
// of tarlist.go (Go's archive/tar), so the two can be compared line by line:
// one "entry ..." line per entry, then "end" or "error <message>".
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/tar/tar_reader.h"

namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '%') out += static_cast<char>(c);
    else absl::StrAppendFormat(&out, "%%%02X", c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: tarlist_cc FILE\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "rb");
  if (f == nullptr) {
    perror(argv[1]);
    return 2;
  }
  imagewriter::TarReader reader([](const imagewriter::TarEntry& e) {
    printf("entry name=%s link=%s type=%d size=%llu mode=%lld uid=%lld gid=%lld mtime=%lld\n",
           Escape(e.path).c_str(), Escape(e.link_name).c_str(), static_cast<unsigned char>(e.type),
           static_cast<unsigned long long>(e.size), static_cast<long long>(e.mode),
           static_cast<long long>(e.uid), static_cast<long long>(e.gid),
           static_cast<long long>(e.mtime));
    return absl::OkStatus();
  });
  char buffer[4096];
  absl::Status status;
  size_t got;
  // Small reads: the reader must give the same answer in any chunking.
  while (status.ok() && (got = fread(buffer, 1, sizeof(buffer), f)) > 0) {
    status = reader.Append(absl::string_view(buffer, got));
  }
  fclose(f);
  if (status.ok()) status = reader.Finish();
  if (status.ok()) printf("end\n");
  else printf("error %s\n", std::string(status.message()).c_str());
  return 0;
}
