// ParallelGzipEncoder: gzip on several cores, with output that does not
// depend on the number of threads.
//
// The input is cut into fixed 1 MiB blocks. Each block is deflated on its
// own with libdeflate (raw deflate, levels 1..12), and every block but the
// last is spliced (internal/deflate_blocks.h): its final-block bit cleared
// and an empty stored block appended, as a sync flush would. The blocks are
// concatenated in order into one deflate stream inside one gzip member, with
// the CRC-32 combined from per-block CRCs. A block's bytes depend only on
// its data, the level and whether it is last, so the output is the same for
// 1 thread or 64, and on any CPU (libdeflate's match finding does not depend
// on CPU features). The header is the fixed header described in gzip.h.
//
// Blocks share no dictionary: libdeflate has none, and at 1 MiB the loss is
// about 0.1 % of output. The block size is part of the output contract.
//
// A worker takes two blocks at a time when it can and walks both splices in
// one loop (see FindFinalBlocks).
//
// Memory: at most 2 x threads + 2 blocks are in flight, each with its input
// and output buffers (kept for reuse), plus one libdeflate compressor per
// thread (level-dependent: ~1 MB at level 2, ~5 MB at 10-12).
#ifndef IMAGEWRITER_COMPRESS_INTERNAL_PARALLEL_GZIP_H_
#define IMAGEWRITER_COMPRESS_INTERNAL_PARALLEL_GZIP_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/compress/gzip_member_encoder.h"
#include "src/io/byte_sink.h"

struct libdeflate_compressor;

namespace imagewriter {

class ParallelGzipEncoder : public GzipMemberEncoder {
 public:
  static constexpr size_t kBlockSize = 1 << 20;

  ParallelGzipEncoder(ByteSink* out, int level, int threads);
  ~ParallelGzipEncoder() override;
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;
  absl::Status EndMember(End end) override;
  absl::StatusOr<std::vector<uint64_t>> Drain() override;

 private:
  struct Job {
    std::string input;
    bool first = false;  // The first block of a member: the header precedes it.
    bool last = false;   // The last block of a member: the trailer follows it.
    bool flush = false;  // ... ended by Flush then Close (End::kFlushAndClose).
    // Results.
    std::string output;
    uint32_t crc = 0;
    bool done = false;
    std::string error;
  };

  void Submit(bool last, bool flush = false);
  absl::Status WriteCompleted(bool wait_all);
  absl::Status WriteJob(const Job& job);
  absl::Status Write(absl::string_view bytes);
  void Worker();
  void Deflate(libdeflate_compressor* compressor, Job* job) const;
  static void Splice(const std::vector<std::shared_ptr<Job>>& jobs);

  ByteSink* out_;
  int level_;
  std::string pending_;  // Input not yet submitted.
  bool next_is_first_ = true;  // The next block submitted starts a member.
  // Of the member being written out.
  uint32_t crc_ = 0;
  uint32_t length_ = 0;
  uint64_t written_ = 0;  // Bytes written to out_.
  std::vector<uint64_t> member_offsets_;

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable job_done_;
  std::deque<std::shared_ptr<Job>> queue_;    // Waiting for a worker.
  std::deque<std::shared_ptr<Job>> ordered_;  // Submitted, in order.
  std::vector<std::shared_ptr<Job>> spare_;   // Written out; for reuse.
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  size_t max_in_flight_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_COMPRESS_INTERNAL_PARALLEL_GZIP_H_
