// ByteSink: the one narrow interface every streaming stage writes through.
//
// A pipeline is a chain of sinks: a decoder appends decoded bytes to the next
// sink, a hasher consumes bytes, a file sink writes them. Append may be called
// any number of times with any split of the stream; Finish is called exactly
// once after the last Append and reports errors that only show at the end of
// a stream (a truncated gzip member, a tar without its last block). A sink
// never takes ownership of the sinks it forwards to, but a sink that writes
// into another (a decoder, an encoder, a guard, a tee, a tar writer) does
// finish it: its own Finish flushes what it holds, then finishes the next
// sink. So a pipeline is finished by finishing its head, once, and the
// order of the stages' Finish follows from how they are composed.
#ifndef IMAGEWRITER_IO_BYTE_SINK_H_
#define IMAGEWRITER_IO_BYTE_SINK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace imagewriter {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Append(absl::string_view data) = 0;
  virtual absl::Status Finish() { return absl::OkStatus(); }
};

// Forwards every byte to each of its sinks, in order; Finish finishes each,
// in order.
class TeeSink : public ByteSink {
 public:
  explicit TeeSink(std::vector<ByteSink*> sinks) : sinks_(std::move(sinks)) {}
  absl::Status Append(absl::string_view data) override;
  absl::Status Finish() override;

 private:
  std::vector<ByteSink*> sinks_;
};

// Counts bytes and discards them.
class CountingSink : public ByteSink {
 public:
  absl::Status Append(absl::string_view data) override {
    count_ += data.size();
    return absl::OkStatus();
  }
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

// Collects everything into a string; for tests and small metadata.
class StringSink : public ByteSink {
 public:
  absl::Status Append(absl::string_view data) override {
    data_.append(data.data(), data.size());
    return absl::OkStatus();
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

}  // namespace imagewriter

#endif  // IMAGEWRITER_IO_BYTE_SINK_H_
