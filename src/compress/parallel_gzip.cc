#include "src/compress/parallel_gzip.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "src/compress/gzip.h"

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
    : out_(out), level_(level), crc_(crc32(0, nullptr, 0)),
      max_in_flight_(2 * static_cast<size_t>(threads < 1 ? 1 : threads)) {
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
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = queue_.front();
      queue_.pop_front();
    }
    Compress(job.get());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job->done = true;
    }
    job_done_.notify_all();
  }
}

void ParallelGzipEncoder::Compress(Job* job) const {
  z_stream z{};
  if (deflateInit2(&z, level_, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    job->error = "deflateInit2 failed";
    return;
  }
  if (!job->dictionary.empty()) {
    deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(job->dictionary.data()),
                         static_cast<uInt>(job->dictionary.size()));
  }
  job->output.resize(deflateBound(&z, job->input.size()) + 16);
  z.next_in = reinterpret_cast<Bytef*>(job->input.data());
  z.avail_in = static_cast<uInt>(job->input.size());
  z.next_out = reinterpret_cast<Bytef*>(job->output.data());
  z.avail_out = static_cast<uInt>(job->output.size());
  int rc = deflate(&z, job->last ? Z_FINISH : Z_SYNC_FLUSH);
  if (rc != (job->last ? Z_STREAM_END : Z_OK) || z.avail_in != 0) {
    job->error = absl::StrCat("deflate failed (", rc, ")");
  }
  job->output.resize(job->output.size() - z.avail_out);
  job->crc = crc32(0, reinterpret_cast<const Bytef*>(job->input.data()),
                   static_cast<uInt>(job->input.size()));
  deflateEnd(&z);
}

void ParallelGzipEncoder::Submit(bool last) {
  auto job = std::make_shared<Job>();
  job->dictionary = dictionary_;
  job->input = std::move(pending_);
  job->last = last;
  pending_.clear();
  // The next block's dictionary: the last 32 KiB of input so far.
  if (job->input.size() >= kDictionarySize) {
    dictionary_ = job->input.substr(job->input.size() - kDictionarySize);
  } else {
    dictionary_ += job->input;
    if (dictionary_.size() > kDictionarySize) {
      dictionary_.erase(0, dictionary_.size() - kDictionarySize);
    }
  }
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
    crc_ = crc32_combine(crc_, job->crc, static_cast<z_off_t>(job->input.size()));
    length_ += static_cast<uint32_t>(job->input.size());  // ISIZE is mod 2^32.
    absl::Status s = out_->Append(job->output);
    if (!s.ok()) return s;
  }
}

absl::Status ParallelGzipEncoder::Append(absl::string_view data) {
  if (!header_written_) {
    unsigned char xfl = level_ == 9 ? 2 : (level_ == 1 ? 4 : 0);
    const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, kGzipOsByte};
    absl::Status s = out_->Append(absl::string_view(reinterpret_cast<const char*>(header), 10));
    if (!s.ok()) return s;
    header_written_ = true;
  }
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

absl::Status ParallelGzipEncoder::Finish() {
  if (!header_written_) {
    absl::Status s = Append(absl::string_view());
    if (!s.ok()) return s;
  }
  Submit(true);
  absl::Status s = WriteCompleted(true);
  if (!s.ok()) return s;
  unsigned char trailer[8];
  PutLittleEndian32(crc_, trailer);
  PutLittleEndian32(length_, trailer + 4);
  return out_->Append(absl::string_view(reinterpret_cast<const char*>(trailer), 8));
}

}  // namespace imagewriter
