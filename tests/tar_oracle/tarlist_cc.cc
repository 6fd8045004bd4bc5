// tarlist_cc lists a tar as imagewriter's TarReader reads it, in the format
// of tarlist.go (Go's archive/tar), so the two can be compared line by line:
// one "entry ..." line per entry, then "end" or "error <message>".
//
// `tarlist_cc --rewrite-timestamp EPOCH IN OUT` instead writes IN through
// TimestampClamp to OUT (or prints "error <message>"), so that Go can read
// what --rewrite-timestamp writes.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/io/byte_sink.h"
#include "src/tar/tar_reader.h"
#include "src/tar/timestamp_clamp.h"

namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '%') out += static_cast<char>(c);
    else absl::StrAppendFormat(&out, "%%%02X", c);
  }
  return out;
}

class FileSink : public imagewriter::ByteSink {
 public:
  explicit FileSink(FILE* f) : f_(f) {}
  absl::Status Append(absl::string_view data) override {
    return fwrite(data.data(), 1, data.size(), f_) == data.size() ? absl::OkStatus()
                                                                  : absl::DataLossError("write failed");
  }
  absl::Status Finish() override { return absl::OkStatus(); }

 private:
  FILE* f_;
};

// Feeds the file at `path` to `sink` in small reads: the answer must not
// depend on the chunking.
absl::Status Feed(const char* path, imagewriter::ByteSink* sink) {
  FILE* f = fopen(path, "rb");
  if (f == nullptr) return absl::NotFoundError(path);
  char buffer[4096];
  absl::Status status;
  size_t got;
  while (status.ok() && (got = fread(buffer, 1, sizeof(buffer), f)) > 0) {
    status = sink->Append(absl::string_view(buffer, got));
  }
  fclose(f);
  return status.ok() ? sink->Finish() : status;
}

int Rewrite(const char* epoch, const char* in, const char* out) {
  FILE* f = fopen(out, "wb");
  if (f == nullptr) return 2;
  FileSink sink(f);
  imagewriter::TimestampClamp clamp(atoll(epoch), &sink);
  absl::Status status = Feed(in, &clamp);
  fclose(f);
  if (!status.ok()) printf("error %s\n", std::string(status.message()).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--rewrite-timestamp") return Rewrite(argv[2], argv[3], argv[4]);
  if (argc != 2) {
    fprintf(stderr, "usage: tarlist_cc FILE | tarlist_cc --rewrite-timestamp EPOCH IN OUT\n");
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
  absl::Status status = Feed(argv[1], &reader);
  if (status.ok()) printf("end\n");
  else printf("error %s\n", std::string(status.message()).c_str());
  return 0;
}
