// Helpers for the zs_sched tests: virtual threads running lambdas, and small
// lock-heavy programs whose interleavings the tests compare.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "kernel/kernel.h"

// EXPECT_CONTAINS(text, part): text (convertible to std::string) contains part.
#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "expected to contain: " << (part) << "\n"

namespace sched_test {

// kthread_run on a callable. Join() (kthread_stop) must be called from a
// virtual thread before the callable goes out of scope.
class VThread {
 public:
  explicit VThread(std::function<void()> fn, const char* name = "worker") : fn_(std::move(fn)) {
    task_ = kernel::kthread_run(&VThread::Trampoline, this, name);
  }
  void Join() {
    if (task_) kernel::kthread_stop(task_);
    task_ = nullptr;
  }
  ~VThread() { Join(); }
  VThread(const VThread&) = delete;
  VThread& operator=(const VThread&) = delete;

 private:
  static void Trampoline(void* arg) { static_cast<VThread*>(arg)->fn_(); }
  std::function<void()> fn_;
  kernel::task_struct* task_ = nullptr;
};

// `n` threads (root included) each take one spinlock `iters` times and bump a
// shared counter under it, with a yield point between rounds.
struct LockProgram {
  kernel::spinlock_t lock;
  long counter = 0;
  std::vector<int> order;  // which thread did each increment (under the lock)

  LockProgram() { spin_lock_init(&lock); }

  void Body(int who, int iters) {
    for (int i = 0; i < iters; i++) {
      kernel::spin_lock(&lock);
      counter++;
      order.push_back(who);
      kernel::spin_unlock(&lock);
      kernel::cond_resched();
    }
  }

  void Run(int threads, int iters) {
    std::vector<std::unique_ptr<VThread>> workers;
    for (int t = 1; t < threads; t++)
      workers.push_back(std::make_unique<VThread>([this, t, iters] { Body(t, iters); }));
    Body(0, iters);
    for (auto& w : workers) w->Join();
  }
};

// Runs LockProgram under `s` and returns the run result plus the order of increments.
inline zs_sched::RunResult RunLockProgram(const zs_sched::Schedule& s, int threads, int iters,
                                          std::vector<int>* order = nullptr, bool record = false) {
  LockProgram p;
  zs_sched::RunOptions opt;
  opt.record_trace = record;
  zs_sched::RunResult r = zs_sched::RunDeterministic(s, opt, [&] { p.Run(threads, iters); });
  EXPECT_EQ(r.status, zs_sched::RunStatus::kFinished) << r.report;
  EXPECT_EQ(p.counter, static_cast<long>(threads) * iters);
  if (order) *order = p.order;
  return r;
}

}  // namespace sched_test
