#include "src/diff/content_probe.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>

#include "absl/strings/escaping.h"
#include "src/diff/layer_stream.h"
#include "src/digest/digest.h"

namespace imagewriter {
namespace {

// A window's SHA-256, its first 128 bits: for two windows to be taken as
// equal when they are not takes a SHA-256 collision on 128 bits, which no
// input finds by chance (and std::hash, used before, was neither
// collision-resistant nor the same across standard libraries).
using WindowHash = std::array<char, 16>;

WindowHash HashWindow(const std::string& bytes) {
  const std::string full = absl::HexStringToBytes(Digest::Sha256Of(bytes).encoded());
  WindowHash out;
  std::copy_n(full.begin(), out.size(), out.begin());
  return out;
}

// Splits one file's data into windows and hands each over whole.
class WindowTracker {
 public:
  virtual ~WindowTracker() = default;
  void Data(absl::string_view data) {
    while (!data.empty()) {
      const size_t take = std::min(kContentWindow - buffer_.size(), data.size());
      buffer_.append(data.data(), take);
      data.remove_prefix(take);
      if (buffer_.size() == kContentWindow) Flush();
    }
  }
  void End() {
    if (!buffer_.empty()) Flush();
    Done(window_);
  }

 protected:
  virtual void Window(uint64_t index, const std::string& bytes) = 0;
  virtual void Done(uint64_t /*windows*/) {}

 private:
  void Flush() {
    Window(window_++, buffer_);
    buffer_.clear();
  }
  std::string buffer_;
  uint64_t window_ = 0;
};

class HashRecorder : public WindowTracker {
 public:
  explicit HashRecorder(uint64_t* budget) : budget_(budget) {}
  std::vector<WindowHash> hashes;
  bool complete = true;

 protected:
  void Window(uint64_t, const std::string& bytes) override {
    if (*budget_ == 0) {
      complete = false;
      return;
    }
    --*budget_;
    hashes.push_back(HashWindow(bytes));
  }

 private:
  uint64_t* budget_;
};

class HashComparer : public WindowTracker {
 public:
  explicit HashComparer(const HashRecorder* a) : a_(a) {}
  std::optional<uint64_t> window;  // The first that differs.
  std::string bytes;               // B's bytes of it.

 protected:
  void Window(uint64_t index, const std::string& data) override {
    if (window || (index >= a_->hashes.size() && !a_->complete)) return;
    if (index >= a_->hashes.size() || a_->hashes[index] != HashWindow(data)) {
      window = index;
      bytes = data;
    }
  }
  void Done(uint64_t windows) override {
    if (!window && windows < a_->hashes.size()) window = windows;
  }

 private:
  const HashRecorder* a_;
};

class WindowCapture : public WindowTracker {
 public:
  explicit WindowCapture(uint64_t want) : want_(want) {}
  std::string bytes;

 protected:
  void Window(uint64_t index, const std::string& data) override {
    if (index == want_) bytes = data;
  }

 private:
  uint64_t want_;
};

// One stream of a layer, handing each target entry's data to its tracker.
absl::Status RunPass(const LayerBlob& blob, const DecompressionLimits& limits,
                     const std::map<size_t, WindowTracker*>& trackers) {
  size_t ordinal = 0;
  WindowTracker* current = nullptr;
  LayerCallbacks callbacks;
  callbacks.on_entry = [&](const TarEntry&, const tar_header::PaxRecords&) {
    if (current != nullptr) current->End();
    auto it = trackers.find(ordinal++);
    current = it == trackers.end() ? nullptr : it->second;
    return absl::OkStatus();
  };
  callbacks.on_data = [&](absl::string_view data) {
    if (current != nullptr) current->Data(data);
    return absl::OkStatus();
  };
  LayerFacts facts;
  absl::Status s = StreamLayer(blob, limits, callbacks, &facts);
  if (s.ok() && current != nullptr) current->End();
  return s;
}

uint64_t FirstDifference(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

absl::Status FindContentOffsets(const LayerBlob& a, const LayerBlob& b, const DecompressionLimits& limits,
                                std::vector<ContentTarget>* targets) {
  if (targets->empty()) return absl::OkStatus();
  uint64_t budget = kMaxWindows;
  std::vector<std::unique_ptr<HashRecorder>> recorders;
  std::vector<std::unique_ptr<HashComparer>> comparers;
  std::map<size_t, WindowTracker*> pass_a, pass_b;
  for (const ContentTarget& t : *targets) {
    recorders.push_back(std::make_unique<HashRecorder>(&budget));
    comparers.push_back(std::make_unique<HashComparer>(recorders.back().get()));
    pass_a[t.a_entry] = recorders.back().get();
    pass_b[t.b_entry] = comparers.back().get();
  }
  absl::Status s = RunPass(a, limits, pass_a);
  if (s.ok()) s = RunPass(b, limits, pass_b);
  if (!s.ok()) return s;
  std::vector<std::unique_ptr<WindowCapture>> captures;
  std::map<size_t, WindowTracker*> pass_c;
  for (size_t i = 0; i < targets->size(); ++i) {
    captures.push_back(std::make_unique<WindowCapture>(comparers[i]->window.value_or(UINT64_MAX)));
    if (comparers[i]->window) pass_c[(*targets)[i].a_entry] = captures.back().get();
  }
  if (pass_c.empty()) return absl::OkStatus();
  s = RunPass(a, limits, pass_c);
  if (!s.ok()) return s;
  for (size_t i = 0; i < targets->size(); ++i) {
    if (!comparers[i]->window) continue;
    (*targets)[i].offset =
        *comparers[i]->window * kContentWindow + FirstDifference(captures[i]->bytes, comparers[i]->bytes);
  }
  return absl::OkStatus();
}

}  // namespace imagewriter
