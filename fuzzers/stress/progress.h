// File: progress.h
//
// Progress for long runs: "<label>: <done>/<total> ops (<pct>%)" on stderr
// about once a second, from a thread of its own so the work never polls a
// clock. On a terminal the line is redrawn in place and erased at the end;
// elsewhere (--progress into a log) each report is a line of its own.
//
// Example:
//   ProgressReporter progress("stress", total, [&] { return DoneSoFar(); },
//                             WantProgress(flag_progress));
//   ... work ...
//   progress.Stop();  // or let the destructor do it
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace zsfuzz {

// True when progress should be shown: forced by --progress, or stderr is a terminal.
bool WantProgress(bool forced);

class ProgressReporter {
 public:
  // `done` is called from the reporter thread and must be thread-safe.
  ProgressReporter(std::string label, uint64_t total, std::function<uint64_t()> done, bool enabled);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Stops reporting and, on a terminal, erases the progress line. Idempotent.
  void Stop();

 private:
  void Loop();

  const std::string label_;
  const uint64_t total_;
  const std::function<uint64_t()> done_;
  const bool tty_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace zsfuzz
