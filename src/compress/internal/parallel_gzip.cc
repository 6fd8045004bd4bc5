#include "src/compress/internal/parallel_gzip.h"

#include <libdeflate.h>
#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "src/compress/internal/gzip.h"
#include "src/compress/internal/deflate_blocks.h"

namespace imagewriter {
namespace {

void PutLittleEndian32(uint32_t v, unsigned char* p) {
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

}  // namespace

ParallelGzipEncoder::ParallelGzipEncoder(ByteSink* out, int level, int threads)
    : out_(out), level_(level),
      max_in_flight_(2 * static_cast<size_t>(threads < 1 ? 1 : threads) + 2) {
  for (int i = 0; i < (threads < 1 ? 1 : threads); ++i) {
    workers_.emplace_back([this] { Worker(); });
  }
}

ParallelGzipEncoder::~ParallelGzipEncoder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ParallelGzipEncoder::Worker() {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(level_);
  while (true) {
    // Up to two jobs at a time, so that their splices walk together.
    std::vector<std::shared_ptr<Job>> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      while (!queue_.empty() && jobs.size() < 2) {
        jobs.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    for (const std::shared_ptr<Job>& job : jobs) Deflate(compressor, job.get());
    Splice(jobs);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const std::shared_ptr<Job>& job : jobs) job->done = true;
    }
    job_done_.notify_all();
  }
  libdeflate_free_compressor(compressor);
}

void ParallelGzipEncoder::Deflate(libdeflate_compressor* compressor, Job* job) const {
  if (compressor == nullptr) {
    job->error = "libdeflate_alloc_compressor failed";
    return;
  }
  job->output.resize(libdeflate_deflate_compress_bound(compressor, job->input.size()));
  const size_t size = libdeflate_deflate_compress(compressor, job->input.data(), job->input.size(),
                                                  job->output.data(), job->output.size());
  if (size == 0) {
    job->error = "libdeflate_deflate_compress failed";
    return;
  }
  job->output.resize(size);
  job->crc = libdeflate_crc32(0, job->input.data(), job->input.size());
}

void ParallelGzipEncoder::Splice(const std::vector<std::shared_ptr<Job>>& jobs) {
  std::vector<Job*> unfinished;
  for (const std::shared_ptr<Job>& job : jobs) {
    if ((!job->last || job->flush) && job->error.empty()) unfinished.push_back(job.get());
  }
  absl::Status status;
  if (unfinished.size() == 2) {
    status = compress_internal::UnfinishBoth(&unfinished[0]->output, &unfinished[1]->output);
  } else if (unfinished.size() == 1) {
    status = compress_internal::Unfinish(&unfinished[0]->output);
  }
  if (!status.ok()) {
    for (Job* job : unfinished) job->error = std::string(status.message());
    return;
  }
  // A flushed member's stream, now ending in the sync marker, is closed by
  // an empty final stored block, byte-aligned already.
  for (Job* job : unfinished) {
    if (job->last) job->output.append("\x01\x00\x00\xff\xff", 5);
  }
}

void ParallelGzipEncoder::Submit(bool last, bool flush) {
  // Jobs and their buffers are reused: fresh megabyte buffers cost page
  // faults and zeroing on every block.
  std::shared_ptr<Job> job;
  if (spare_.empty()) {
    job = std::make_shared<Job>();
  } else {
    job = std::move(spare_.back());
    spare_.pop_back();
  }
  job->input.swap(pending_);
  pending_.clear();
  job->first = next_is_first_;
  job->last = last;
  job->flush = flush;
  next_is_first_ = last;
  job->done = false;
  job->error.clear();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job);
    ordered_.push_back(job);
  }
  work_ready_.notify_one();
}

absl::Status ParallelGzipEncoder::WriteCompleted(bool wait_all) {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (ordered_.empty()) return absl::OkStatus();
      // Block while too many are in flight, or when draining.
      if (wait_all || ordered_.size() >= max_in_flight_) {
        job_done_.wait(lock, [this] { return ordered_.front()->done; });
      } else if (!ordered_.front()->done) {
        return absl::OkStatus();
      }
      job = ordered_.front();
      ordered_.pop_front();
    }
    if (!job->error.empty()) return absl::InternalError(job->error);
    absl::Status s = WriteJob(*job);
    if (!s.ok()) return s;
    spare_.push_back(std::move(job));
  }
}

// Writes a finished block, with its member's header before it or trailer
// after it.
absl::Status ParallelGzipEncoder::WriteJob(const Job& job) {
  if (job.first) {
    const unsigned char xfl = level_ >= 9 ? 2 : (level_ == 1 ? 4 : 0);
    const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, kGzipOsByte};
    absl::Status s = Write(absl::string_view(reinterpret_cast<const char*>(header), 10));
    if (!s.ok()) return s;
    member_offsets_.push_back(written_ - 10);
    crc_ = static_cast<uint32_t>(crc32(0, nullptr, 0));
    length_ = 0;
  }
  crc_ = static_cast<uint32_t>(crc32_combine(crc_, job.crc, static_cast<z_off_t>(job.input.size())));
  length_ += static_cast<uint32_t>(job.input.size());  // ISIZE is mod 2^32.
  absl::Status s = Write(job.output);
  if (!s.ok() || !job.last) return s;
  unsigned char trailer[8];
  PutLittleEndian32(crc_, trailer);
  PutLittleEndian32(length_, trailer + 4);
  return Write(absl::string_view(reinterpret_cast<const char*>(trailer), 8));
}

absl::Status ParallelGzipEncoder::Write(absl::string_view bytes) {
  written_ += bytes.size();
  return out_->Append(bytes);
}

absl::Status ParallelGzipEncoder::Append(absl::string_view data) {
  while (!data.empty()) {
    size_t take = std::min(kBlockSize - pending_.size(), data.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    // A full block is submitted once more input shows it is not the last.
    if (pending_.size() == kBlockSize && !data.empty()) {
      Submit(false);
      absl::Status s = WriteCompleted(false);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ParallelGzipEncoder::EndMember(End end) {
  Submit(true, end == End::kFlushAndClose);
  return WriteCompleted(false);
}

absl::StatusOr<std::vector<uint64_t>> ParallelGzipEncoder::Drain() {
  absl::Status s = WriteCompleted(true);
  if (!s.ok()) return s;
  return member_offsets_;
}

absl::Status ParallelGzipEncoder::Finish() {
  Submit(true);
  absl::Status s = WriteCompleted(true);
  return s.ok() ? out_->Finish() : s;
}

}  // namespace imagewriter
