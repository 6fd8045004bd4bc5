// Micro benchmarks of the hot paths: hashing, gzip/zstd encoding, tar
// writing, JSON encoding, and the gzip splice walk.
// `bazel run -c opt //bench:micro_bench`.
#include <libdeflate.h>

#include <string>

#include "benchmark/benchmark.h"
#include "src/compress/compression.h"
#include "src/compress/internal/deflate_blocks.h"
#include "src/digest/sha256_sink.h"
#include "src/json/parser.h"
#include "src/json/writer.h"
#include "src/tar/tar_writer.h"

namespace imagewriter {
namespace {

// Mildly compressible bytes, like binaries and text in a layer.
const std::string& Data() {
  static const std::string* data = [] {
    auto* s = new std::string;
    uint32_t x = 1;
    while (s->size() < (16 << 20)) {
      x = x * 1103515245 + 12345;
      s->append("usr/lib/x86_64-linux-gnu/libexample.so.1 ");
      s->push_back(static_cast<char>(x >> 24));
      s->push_back(static_cast<char>(x >> 16));
    }
    return s;
  }();
  return *data;
}

class NullSink : public ByteSink {
 public:
  absl::Status Append(absl::string_view) override { return absl::OkStatus(); }
};

void BM_Sha256(benchmark::State& state) {
  for (auto _ : state) {
    Sha256Sink sink;
    benchmark::DoNotOptimize(sink.Append(Data()));
    benchmark::DoNotOptimize(sink.Finish());
  }
  state.SetBytesProcessed(state.iterations() * Data().size());
}
BENCHMARK(BM_Sha256)->Unit(benchmark::kMillisecond);

void BM_Encode(benchmark::State& state, Compression c) {
  const int threads = static_cast<int>(state.range(0));
  const int level = static_cast<int>(state.range(1));
  for (auto _ : state) {
    NullSink out;
    std::unique_ptr<ByteSink> enc = NewEncoder(c, level, &out, threads);
    for (size_t i = 0; i < Data().size(); i += 1 << 20) {
      benchmark::DoNotOptimize(enc->Append(absl::string_view(Data()).substr(i, 1 << 20)));
    }
    benchmark::DoNotOptimize(enc->Finish());
  }
  state.SetBytesProcessed(state.iterations() * Data().size());
}
BENCHMARK_CAPTURE(BM_Encode, gzip, Compression::kGzip)
    ->Args({1, 2})->Args({2, 2})->Args({2, 1})->Args({2, 6})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Encode, zstd, Compression::kZstd)
    ->Args({1, 3})->Args({2, 3})->Unit(benchmark::kMillisecond)->UseRealTime();

// The splice walk over one 1 MiB block's libdeflate stream, one stream at a
// time and two interleaved (what the gzip encoder's workers do).
const std::string& CompressedBlock() {
  static const std::string* block = [] {
    libdeflate_compressor* c = libdeflate_alloc_compressor(2);
    auto* out = new std::string(libdeflate_deflate_compress_bound(c, 1 << 20), '\0');
    out->resize(libdeflate_deflate_compress(c, Data().data(), 1 << 20, out->data(), out->size()));
    libdeflate_free_compressor(c);
    return out;
  }();
  return *block;
}

void BM_SpliceWalk(benchmark::State& state) {
  const bool paired = state.range(0) == 2;
  for (auto _ : state) {
    if (paired) {
      benchmark::DoNotOptimize(compress_internal::FindFinalBlocks(CompressedBlock(), CompressedBlock()));
    } else {
      benchmark::DoNotOptimize(compress_internal::FindFinalBlock(CompressedBlock()));
      benchmark::DoNotOptimize(compress_internal::FindFinalBlock(CompressedBlock()));
    }
  }
  state.SetBytesProcessed(state.iterations() * 2 * CompressedBlock().size());
}
BENCHMARK(BM_SpliceWalk)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_TarWrite(benchmark::State& state) {
  const std::string file(4096, 'x');
  for (auto _ : state) {
    NullSink out;
    TarWriter tar(&out);
    for (int i = 0; i < 1000; ++i) {
      TarHeader h;
      h.path = "usr/share/doc/package/file" + std::to_string(i);
      h.size = file.size();
      benchmark::DoNotOptimize(tar.WriteHeader(h));
      benchmark::DoNotOptimize(tar.Append(file));
    }
    benchmark::DoNotOptimize(tar.Finish());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_TarWrite)->Unit(benchmark::kMicrosecond);

void BM_JsonConfigRoundTrip(benchmark::State& state) {
  std::string config = R"({"architecture":"amd64","config":{"Env":["PATH=/usr/bin"],"Labels":{)";
  for (int i = 0; i < 200; ++i) config += "\"label" + std::to_string(i) + "\":\"value <&>\",";
  config += R"("z":"1"}},"history":[)";
  for (int i = 0; i < 100; ++i) config += R"({"created":"2024-01-01T00:00:00Z","created_by":"RUN step"},)";
  config += R"({}],"os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  for (auto _ : state) {
    absl::StatusOr<json::Value> v = json::Parse(config, "bench");
    benchmark::DoNotOptimize(json::Compact(*v));
    benchmark::DoNotOptimize(json::Indent(*v));
  }
  state.SetBytesProcessed(state.iterations() * config.size());
}
BENCHMARK(BM_JsonConfigRoundTrip)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace imagewriter

BENCHMARK_MAIN();
