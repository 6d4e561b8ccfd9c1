// Fiber stacks: mmap'd with a guard page below, pooled across executions.
//
// Mapping and unmapping a stack per virtual thread per execution would cost
// two system calls, and under ASan a fresh fake stack (stack-use-after-return
// frames) for every fiber. A pooled stack keeps its ASan fake stack with it,
// so a fiber that ends normally hands both to the next one.
#pragma once

#include <cstddef>
#include <vector>

namespace zs_sched {

struct FiberStack {
  void* map = nullptr;  // start of the mapping; its first page is the guard
  size_t map_size = 0;
  void* bottom = nullptr;      // lowest usable byte, just above the guard page
  size_t size = 0;             // usable bytes
  void* fake_stack = nullptr;  // ASan: the fake stack that belongs to this stack

  void* top() const { return static_cast<char*>(bottom) + size; }
};

// Not thread-safe: used by the scheduler only, on the thread that runs it.
class StackPool {
 public:
  // A stack of exactly `size` usable bytes (rounded up to whole pages).
  FiberStack* Acquire(size_t size);
  // The fiber that used `stack` ended normally: hand the stack to the next one.
  void Release(FiberStack* stack);
  // The fiber that used `stack` was abandoned mid-flight (deadlock, BUG, step
  // budget): its frames may hold the only pointers to heap blocks, so it stays
  // mapped for the life of the process and LeakSanitizer scans it.
  void Retire(FiberStack* stack);

  size_t mapped() const { return mapped_; }

 private:
  std::vector<FiberStack*> free_;
  std::vector<FiberStack*> retired_;  // kept, so LeakSanitizer sees them owned
  size_t mapped_ = 0;
};

// The process-wide pool the deterministic backend uses.
StackPool& GlobalStackPool();

}  // namespace zs_sched
