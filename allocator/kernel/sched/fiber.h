// Fibers: a context on a pooled stack, with the TSan and ASan fiber hooks.
//
// One OS thread runs the scheduler and all fibers; control always goes
// scheduler -> fiber -> scheduler. TSan sees the two directions differently
// (the "hybrid" scheme of docs/toolchain.md section 3):
//   scheduler -> fiber: __tsan_switch_to_fiber(f, 0), a happens-before edge,
//     so the scheduler's setup (task structs, arguments) is visible to fibers;
//   fiber -> scheduler: __tsan_switch_to_fiber(f, no_sync), no edge,
// so nothing one fiber did is ordered before what the next one does: two
// virtual threads that touch the same memory without real synchronization
// (a lock's atomics, __tsan_release/__tsan_acquire) are reported as a race.
// The price: any scheduler state a fiber touches must be std::atomic (relaxed)
// or written once before the fiber first runs.
//
// A Fiber is one incarnation: Start() it on a stack, Resume() it from the
// scheduler until it calls Suspend() or Exit(), and after Exit() Destroy() it.
#pragma once

#include "allocator/kernel/sched/context_switch.h"
#include "allocator/kernel/sched/stack_pool.h"

namespace zs_sched {

class Fiber {
 public:
  // Scheduler side: a fresh incarnation that will run `entry` on `stack`.
  // `name` labels the fiber in TSan reports ("T1 zsstress/0"); TSan copies it.
  void Start(FiberStack* stack, ContextEntry entry, const char* name);
  // Scheduler side: runs the fiber until it suspends or exits.
  void Resume();

  // Fiber side: the first thing `entry` does.
  void OnFirstEntry();
  // Fiber side: back to the scheduler; returns at the next Resume().
  void Suspend();
  // Fiber side: leaves for good. `keep_fake_stack` hands the ASan fake stack
  // to the stack's next user (the fiber ended normally, its frames are gone);
  // false destroys it (the fiber is abandoned with frames still live).
  // `done_token` is __tsan_release'd after the fiber's last access to this
  // object, so whoever acquires it may reuse the Fiber without a TSan report.
  [[noreturn]] void Exit(bool keep_fake_stack, void* done_token);

  // Scheduler side, after Exit(): releases the TSan fiber context.
  void Destroy();

  FiberStack* stack() const { return stack_; }

 private:
  void* sp_ = nullptr;        // the fiber's saved context while it is suspended
  void* sched_sp_ = nullptr;  // the scheduler's saved context while the fiber runs
  FiberStack* stack_ = nullptr;
  // Used only in sanitizer builds.
  [[maybe_unused]] void* tsan_fiber_ = nullptr;
  [[maybe_unused]] void* tsan_sched_ = nullptr;          // TSan context of the scheduler (the OS thread)
  [[maybe_unused]] const void* sched_bottom_ = nullptr;  // ASan: the scheduler's stack, learnt on first entry
  [[maybe_unused]] size_t sched_size_ = 0;
};

}  // namespace zs_sched
