// Helpers shared by the simulated-kernel unit tests: a fixture that resets
// the kernel's global state, kernel threads running lambdas, and polling.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>
#include <utility>

#include "kernel/kernel.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KTEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(KTEST_ASAN)
#define KTEST_ASAN 1
#endif

namespace kernel_test {

#ifdef KTEST_ASAN
inline constexpr bool kAsan = true;
#else
inline constexpr bool kAsan = false;
#endif

// Every test starts from the kernel of a fresh process (kernel_reset(): PFNs
// from ARENA_BASE_PFN, no fault injection, no zone pressure, no lockdep
// class, edge or report, no WARN), and must give back every page it took.
class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Death tests run while kernel threads may exist (docs/toolchain.md section 6).
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    kernel::kernel_reset();
  }
  void TearDown() override {
    EXPECT_EQ(kernel::nr_pages_in_use(), 0u) << "test leaked pages";
    EXPECT_EQ(kernel::get_current()->preempt_count, 0) << "test left a lock held";
    EXPECT_EQ(kernel::get_current()->held.depth, 0) << "test left a lock held";
  }
};

// A kernel thread (kthread_run) running a callable; the destructor joins it.
class kthread {
 public:
  explicit kthread(std::function<void()> fn, const char* name = "ktest") : fn_(std::move(fn)) {
    task_ = kernel::kthread_run(&kthread::trampoline, this, name);
  }
  ~kthread() { join(); }
  kthread(const kthread&) = delete;
  kthread& operator=(const kthread&) = delete;

  void join() {
    if (task_) kernel::get_sched_ops().kthread_join(task_);
    task_ = nullptr;
  }
  kernel::task_struct* task() const { return task_; }

 private:
  static void trampoline(void* self) { static_cast<kthread*>(self)->fn_(); }
  std::function<void()> fn_;
  kernel::task_struct* task_ = nullptr;
};

// Polls `cond` for up to 10 s; true as soon as it holds.
template <typename Cond>
bool eventually(Cond cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Long enough for a thread that is not blocked to have made progress.
inline void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

// Two lock classes, each its own spin_lock_init site (lockdep tests).
struct two_classes {
  kernel::spinlock_t lock_a, lock_b;
  two_classes() {
    spin_lock_init(&lock_a);
    spin_lock_init(&lock_b);
  }
};

inline void lock_in_order(kernel::spinlock_t* first, kernel::spinlock_t* second) {
  kernel::spin_lock(first);
  kernel::spin_lock(second);
  kernel::spin_unlock(second);
  kernel::spin_unlock(first);
}

}  // namespace kernel_test
