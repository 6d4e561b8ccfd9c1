#include "fuzzers/stress/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace zsfuzz {

bool WantProgress(bool forced) { return forced || isatty(STDERR_FILENO) == 1; }

ProgressReporter::ProgressReporter(std::string label, uint64_t total, std::function<uint64_t()> done,
                                   bool enabled)
    : label_(std::move(label)), total_(total), done_(std::move(done)), tty_(isatty(STDERR_FILENO) == 1) {
  if (enabled) thread_ = std::thread([this] { Loop(); });
}

ProgressReporter::~ProgressReporter() { Stop(); }

void ProgressReporter::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (tty_) std::fputs("\r\033[K", stderr);
}

void ProgressReporter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
    const uint64_t done = done_();
    const double pct = total_ == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total_);
    std::fprintf(stderr, "%s%s: %llu/%llu ops (%.0f%%)%s", tty_ ? "\r\033[K" : "", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), pct,
                 tty_ ? "" : "\n");
    std::fflush(stderr);
  }
}

}  // namespace zsfuzz
