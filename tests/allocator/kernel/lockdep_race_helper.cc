// TSan check (tsan preset, run by ctest): lockdep's bookkeeping must add no
// happens-before edge between tasks. Two threads touch `shared` without
// synchronization; in between, each registers a new lock class and adds
// order-graph edges (lockdep's slow paths). TSan must still report the race.
#include <atomic>
#include <cstdio>
#include <thread>

#include "kernel/kernel.h"

namespace {

long shared;                // the racy variable
std::atomic<int> phase{0};  // relaxed only: orders nothing for TSan

void take_two(kernel::spinlock_t* outer, kernel::spinlock_t* inner) {
  kernel::spin_lock(outer);
  kernel::spin_lock(inner);
  kernel::spin_unlock(inner);
  kernel::spin_unlock(outer);
}

}  // namespace

int main() {
  static kernel::spinlock_t a, b, c, d;
  spin_lock_init(&a);
  spin_lock_init(&b);
  spin_lock_init(&c);
  spin_lock_init(&d);
  std::thread writer([] {
    shared = 1;
    take_two(&a, &b);  // registers classes a, b and adds the edge a -> b
    phase.store(1, std::memory_order_relaxed);
  });
  std::thread reader([] {
    while (phase.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
    // Locks the writer never touched: any ordering could only come from lockdep.
    take_two(&c, &d);  // registers c, d and adds c -> d under lockdep's graph lock
    take_two(&d, &c);  // closes a cycle: a lockdep report
    std::printf("shared=%ld\n", shared);
  });
  writer.join();
  reader.join();
  std::printf("lockdep reports: %lu\n", kernel::lockdep_report_count());
  return 0;
}
