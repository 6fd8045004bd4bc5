// Times the strict parser on an object with many distinct keys, the shape of
// a hostile base config. Not a test (timings vary by machine): run it by
// hand, `bazel run -c opt //src/json:parse_bench -- 200000`. json_test holds
// the duplicate-key check to its cost by counting comparisons instead.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/json/parser.h"

int main(int argc, char** argv) {
  const long keys = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 200000;
  std::string text = "{";
  for (long i = 0; i < keys; ++i) absl::StrAppend(&text, i == 0 ? "" : ",", "\"k", i, "\":", i);
  text += "}";
  const auto start = std::chrono::steady_clock::now();
  imagewriter::json::ParseStats stats;
  absl::StatusOr<imagewriter::json::Value> v = imagewriter::json::Parse(text, "bench", &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!v.ok()) {
    std::fprintf(stderr, "%s\n", std::string(v.status().message()).c_str());
    return 1;
  }
  std::printf("%ld keys, %zu bytes: %.3f s, %llu key comparisons\n", keys, text.size(), seconds,
              static_cast<unsigned long long>(stats.key_comparisons));
  return 0;
}
