// Internal to zs_sched: a virtual thread and the state fibers share with the
// scheduler. See fiber.h for why every field a fiber touches is atomic (or
// written by the scheduler before the fiber first runs).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "allocator/kernel/sched/fiber.h"
#include "kernel/sched.h"

namespace zs_sched::internal {

enum class ThreadState : uint8_t { kRunnable, kBlocked, kExited };
enum class WaitKind : uint8_t { kNone, kLock, kWaitQueue, kJoin };
// What a fiber asks of the scheduler when it switches to it.
// kYieldDecided: a yield the fiber already recorded and decided (the
// scheduler's fast path, deterministic_backend.cc): run the decided thread.
enum class Request : uint8_t { kNone, kYield, kYieldDecided, kBlock, kCreate, kExit, kChoice, kBug, kKilled };

struct VThread {
  // ---- Set by the scheduler before the incarnation first runs. ----
  int id = -1;  // creation order in the execution; T<id>
  char name[kernel::TASK_COMM_LEN] = {};
  char fiber_name[kernel::TASK_COMM_LEN + 8] = {};  // "T3 kworker/0:1", for TSan reports
  void (*fn)(void*) = nullptr;
  void* data = nullptr;
  VThread* parent = nullptr;  // the creator, whose spawn_token the child acquires
  kernel::task_struct task;   // task.backend == this
  Fiber fiber;

  // ---- Shared between the fiber and the scheduler: relaxed atomics. ----
  std::atomic<ThreadState> state{ThreadState::kRunnable};
  std::atomic<WaitKind> wait_kind{WaitKind::kNone};
  std::atomic<const void*> wait_obj{nullptr};  // the lock, wait queue or VThread waited for
  std::atomic<const char*> wait_site{nullptr};
  std::atomic<unsigned long> wait_seq{0};  // wait queue: the sequence seen before sleeping
  std::atomic<Request> request{Request::kNone};
  std::atomic<const char*> req_site{nullptr};
  std::atomic<const void*> req_obj{nullptr};
  std::atomic<uint64_t> req_value{0};            // kChoice: bound in, value out
  std::atomic<void (*)(void*)> new_fn{nullptr};  // kCreate arguments and reply
  std::atomic<void*> new_data{nullptr};
  std::atomic<const char*> new_name{nullptr};
  std::atomic<VThread*> new_thread{nullptr};
  std::atomic<bool> kill{false};  // teardown: exit at the next resume
  // Open OracleSections (runner.h) on this thread: the fiber counts them,
  // the scheduler counts the steps taken inside as the oracle's.
  std::atomic<int> oracle_depth{0};
  // The outermost open OracleSection found every other thread blocked:
  // nothing can run before this thread blocks, so its yield points are no
  // steps until the section closes.
  std::atomic<bool> quiet{false};
  // TsanIgnoreSyncAndReads scopes open on this thread (TSan builds).
  std::atomic<int> tsan_ignores{0};

  // Written by the fiber before it exits with kBug; read after the scheduler
  // acquired done_token.
  std::string bug_report;

  // TSan sync objects (only their addresses matter): the fiber releases
  // done_token as it exits (joiners and the teardown acquire it), and
  // spawn_token as it creates a thread (the child acquires it first thing).
  char done_token = 0;
  char spawn_token = 0;

  // ---- Scheduler only. ----
  bool started = false;    // resumed at least once
  bool abandoned = false;  // exited by kill or BUG with frames still live
};

// Fibers scan the live threads to wake waiters (spin_wake, wq_wake): an array
// of atomics the scheduler maintains in id order. More live threads than this
// is a fatal error.
inline constexpr int kMaxLiveThreads = 1024;

struct SharedState {
  std::atomic<VThread*> current{nullptr};  // the running virtual thread; null in the scheduler
  std::atomic<VThread*> live[kMaxLiveThreads] = {};
  std::atomic<int> nlive{0};
  // Counts changes of any thread's state (SetState): the scheduler rebuilds
  // its runnable list only when this moved since the last step.
  std::atomic<uint64_t> state_changes{0};
  // Threads blocked in spin_wait: an unlock with none has nobody to wake.
  std::atomic<int> lock_waiters{0};
  // Times the scheduler ran another thread than the last one (ThreadSwitches).
  std::atomic<uint64_t> switches{0};
};

extern SharedState g_shared;

// Every change of a thread's state goes through here. A plain increment:
// fibers and the scheduler share one OS thread and never run at once.
inline void SetState(VThread* t, ThreadState s) {
  t->state.store(s, std::memory_order_relaxed);
  g_shared.state_changes.store(g_shared.state_changes.load(std::memory_order_relaxed) + 1,
                               std::memory_order_relaxed);
}

[[noreturn]] void Fatal(const char* what);

}  // namespace zs_sched::internal
