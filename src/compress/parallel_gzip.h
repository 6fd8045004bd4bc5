// ParallelGzipEncoder: gzip on several cores, with output that does not
// depend on the number of threads.
//
// The input is cut into fixed 128 KiB blocks. Each block is deflated on its
// own (zlib, raw deflate) with the 32 KiB of input before it as the
// dictionary, and ends with a sync flush (an empty stored block, byte
// aligned); the last block ends the stream. The compressed blocks are
// concatenated in order into one deflate stream inside one gzip member,
// with the CRC-32 combined from per-block CRCs. Since a block's bytes depend
// only on its data, its dictionary, the level and whether it is last, the
// output is the same for 1 thread or 64, on any CPU. This is pigz's scheme;
// the header is the same fixed header as GzipEncoder's.
//
// Memory: at most 2 x threads blocks are in flight.
#ifndef IMAGEWRITER_COMPRESS_PARALLEL_GZIP_H_
#define IMAGEWRITER_COMPRESS_PARALLEL_GZIP_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/io/byte_sink.h"

namespace imagewriter {

class ParallelGzipEncoder : public ByteSink {
 public:
  static constexpr size_t kBlockSize = 128 << 10;
  static constexpr size_t kDictionarySize = 32 << 10;

  ParallelGzipEncoder(ByteSink* out, int level, int threads);
  ~ParallelGzipEncoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  struct Job {
    std::string dictionary;
    std::string input;
    bool last = false;
    // Results.
    std::string output;
    uint32_t crc = 0;
    bool done = false;
    std::string error;
  };

  void Submit(bool last);
  absl::Status WriteCompleted(bool wait_all);
  void Worker();
  void Compress(Job* job) const;

  ByteSink* out_;
  int level_;
  std::string pending_;     // Input not yet submitted.
  std::string dictionary_;  // Last 32 KiB of submitted input.
  bool header_written_ = false;
  uint32_t crc_;
  uint32_t length_ = 0;

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable job_done_;
  std::deque<std::shared_ptr<Job>> queue_;    // Waiting for a worker.
  std::deque<std::shared_ptr<Job>> ordered_;  // Submitted, in order.
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  size_t max_in_flight_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_PARALLEL_GZIP_H_
