#include "src/tar/tar_testing.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace imagewriter {
namespace testing_tar {

std::string Header(absl::string_view name, uint64_t size, char type,
                   absl::string_view link) {
  std::string h(512, '\0');
  memcpy(&h[0], name.data(), std::min<size_t>(name.size(), 100));
  snprintf(&h[100], 8, "%07o", 0644);
  snprintf(&h[108], 8, "%07o", 0);
  snprintf(&h[116], 8, "%07o", 0);
  snprintf(&h[124], 12, "%011llo", static_cast<unsigned long long>(size));
  snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  memcpy(&h[157], link.data(), std::min<size_t>(link.size(), 100));
  memcpy(&h[257], "ustar\0" "00", 8);
  return Rechecksum(std::move(h));
}

std::string File(absl::string_view name, absl::string_view data) {
  std::string out = Header(name, data.size());
  out.append(data.data(), data.size());
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

std::string Pax(absl::string_view key, absl::string_view value) {
  std::string body = absl::StrCat(" ", key, "=", value, "\n");
  size_t len = body.size() + 1;
  while (absl::StrCat(len).size() + body.size() != len) ++len;
  std::string record = absl::StrCat(len, body);
  std::string out = Header("PaxHeader", record.size(), 'x');
  out += record;
  out.append((512 - record.size() % 512) % 512, '\0');
  return out;
}

std::string PaxRecords(const std::vector<std::pair<std::string, std::string>>& records, char type) {
  std::string data;
  for (const auto& [key, value] : records) {
    std::string body = absl::StrCat(" ", key, "=", value, "\n");
    size_t len = body.size() + 1;
    while (absl::StrCat(len).size() + body.size() != len) ++len;
    absl::StrAppend(&data, len, body);
  }
  std::string out = Header("PaxHeader", data.size(), type) + data;
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

std::string GnuLong(char type, absl::string_view value) {
  std::string data = absl::StrCat(value, absl::string_view("\0", 1));
  std::string h = Header("././@LongLink", data.size(), type);
  memcpy(&h[257], "ustar  \0", 8);
  std::string out = Rechecksum(h) + data;
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

std::string Rechecksum(std::string h) {
  memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  snprintf(&h[148], 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

std::string End() { return std::string(1024, '\0'); }

absl::StatusOr<std::vector<TarEntry>> ReadEntries(absl::string_view tar, bool* saw_end_marker) {
  std::vector<TarEntry> entries;
  TarReader reader([&entries](const TarEntry& e) {
    entries.push_back(e);
    return absl::OkStatus();
  });
  absl::Status status = reader.Append(tar);
  if (status.ok()) status = reader.Finish();
  if (!status.ok()) return status;
  if (saw_end_marker != nullptr) *saw_end_marker = reader.saw_end_marker();
  return entries;
}

}  // namespace testing_tar
}  // namespace imagewriter
