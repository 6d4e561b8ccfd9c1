// Tasks, yield points, waiting and kernel threads: the seam between the
// simulated kernel and whatever runs it.
//
// Everything that can block or be preempted goes through one backend, a table
// of function pointers (struct sched_ops). The default backend is free-running:
// tasks are real OS threads, a failed lock attempt spins with
// std::this_thread::yield(), wait queues sleep on a condition variable. A
// deterministic scheduler installs its own backend with set_sched_ops() and
// then decides at every yield point which task runs next.
#pragma once

#include <atomic>

#include "kernel/lockdep.h"

namespace kernel {

inline constexpr int TASK_COMM_LEN = 32;

struct page;

struct task_struct {
  int pid = 0;
  char comm[TASK_COMM_LEN] = {};
  // Spinlocks and rwlocks held: > 0 means atomic context (might_sleep BUGs).
  int preempt_count = 0;
  struct held_locks held;
  // Set by kthread_stop(); polled by kthread_should_stop().
  std::atomic<bool> should_stop{false};
  // Backend-private state (the free-running backend keeps its std::thread here).
  void* backend = nullptr;
  // zsfuzz probes, no kernel counterpart; only this task writes them.
  // The page whose movable_operations::migrate_page() this task is inside
  // (set by migrate_movable_ops_page), or null.
  const page* migrating_page = nullptr;
  // Pages of emptied allocations this task released: freed, or handed to a
  // deferred free. The allocator counts them (zsmalloc.cc,
  // zsfuzz_pages_released); oracle/exec reads the count around an op.
  unsigned long pages_released = 0;
};

struct wait_queue_head;

struct sched_ops {
  const char* name;
  task_struct* (*current)();
  // A point where the kernel could be preempted. `site` is a static string,
  // `obj` the lock, page or counter involved (may be null).
  void (*yield_point)(const char* site, const void* obj);
  // A lock attempt on `obj` failed; return when it is worth trying again.
  void (*spin_wait)(const void* obj, const char* site);
  // `obj` (a lock) was released; tasks in spin_wait on it may try again.
  void (*spin_wake)(const void* obj);
  // Sleep on `wq` until its sequence number differs from `seq`.
  void (*wq_wait)(wait_queue_head* wq, unsigned long seq);
  void (*wq_wake)(wait_queue_head* wq);
  task_struct* (*kthread_create)(void (*fn)(void*), void* data, const char* name);
  // Wait for the thread function to return, then free the task.
  void (*kthread_join)(task_struct* task);
  // Time is counted in steps, not on a CPU (the deterministic backend): busy
  // work that only stands for hold time on a real CPU (zone-lock pressure's
  // spin) is skipped, as it would cost wall time and change nothing.
  bool virtual_time = false;
};

// The free-running backend (real OS threads). Installed by default.
const sched_ops& free_running_sched_ops();
void set_sched_ops(const sched_ops* ops);

namespace internal {
// set_sched_ops()'s choice. In the header so that get_current() and
// yield_point(), called on every lock operation, are two loads and a call.
extern std::atomic<const sched_ops*> active_sched_ops;
}  // namespace internal

inline const sched_ops& get_sched_ops() {
  return *internal::active_sched_ops.load(std::memory_order_acquire);
}

namespace internal {
// The running task when a backend can say it without being asked: the
// deterministic backend sets it around every slice a virtual thread runs
// (all its fibers share the scheduler's OS thread). Null: ask the backend.
// get_current() runs several times per lock operation.
extern constinit thread_local std::atomic<task_struct*> current_task;
}  // namespace internal

inline task_struct* get_current() {
  if (task_struct* t = internal::current_task.load(std::memory_order_relaxed)) return t;
  return get_sched_ops().current();
}
void set_task_comm(task_struct* task, const char* name);

inline void yield_point(const char* site, const void* obj) { get_sched_ops().yield_point(site, obj); }
inline void cond_resched() { yield_point("cond_resched", nullptr); }

// BUGs when called from atomic context (a spinlock or rwlock held).
void __might_sleep(const char* file, int line);
#define might_sleep() ::kernel::__might_sleep(__FILE__, __LINE__)
inline bool in_atomic() { return get_current()->preempt_count > 0; }

// Wait queues: wait_event() sleeps until `cond` holds; wake_up() re-checks all
// sleepers. The sequence number closes the lost-wakeup window between the
// condition check and the sleep.
//
// A backend that keeps per-queue state stores it in wait_queue_head::backend
// as a (pointer to a) subclass of wait_queue_backend, created on first use;
// ~wait_queue_head deletes it through the virtual destructor.
struct wait_queue_backend {
  virtual ~wait_queue_backend() = default;
};
struct wait_queue_head {
  std::atomic<unsigned long> seq{0};
  void* backend = nullptr;  // a wait_queue_backend*; free-running: a mutex and condition variable
  ~wait_queue_head();
};
void wake_up(wait_queue_head* wq);

template <typename Cond>
void wait_event(wait_queue_head* wq, Cond cond) {
  might_sleep();
  for (;;) {
    const unsigned long seq = wq->seq.load(std::memory_order_acquire);
    if (cond()) return;
    get_sched_ops().wq_wait(wq, seq);
  }
}

// Kernel threads. The free-running backend runs each on its own OS thread.
task_struct* kthread_run(void (*fn)(void*), void* data, const char* name);
bool kthread_should_stop();
// Asks the thread to stop, wakes `wq` (if any) and waits for it to exit.
void kthread_stop(task_struct* task, wait_queue_head* wq = nullptr);

}  // namespace kernel
