// Lock statistics, as CONFIG_LOCK_STAT's /proc/lock_stat keeps them: per lock
// class (one lock_class_key per init site), the acquisitions, the contentions
// (acquisitions that found the lock taken and had to wait) and the total time
// waited. The lock shim (spinlock.cc) counts them for spinlock_t and rwlock_t,
// so every variant has them. Off by default, when an acquisition pays one
// relaxed load; `zsfuzz bench contention` turns them on around what it times.
// The wait is monotonic-clock time: real on the free-running backend, the
// other threads' turns on the deterministic one.
//
// Example:
//   kernel::lock_stat_clear();
//   kernel::lock_stat_enable(true);
//   ... run ...
//   kernel::lock_stat_enable(false);
//   for (const kernel::lock_stat_entry& e : kernel::lock_stat_read())
//     printf("%s %lu %lu\n", e.name.c_str(), e.acquisitions, e.contentions);
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/lockdep.h"

namespace kernel {

namespace internal {
extern std::atomic<bool> lock_stat_on;
}  // namespace internal

inline bool lock_stat_enabled() { return internal::lock_stat_on.load(std::memory_order_relaxed); }
void lock_stat_enable(bool on);
// Zeroes every class's counters.
void lock_stat_clear();

// Called by the lock shim while lock_stat_enabled(): one acquisition of
// `map`'s class; `wait_ns` is its wait if it was contended.
void lock_stat_account(const lockdep_map* map, bool contended, uint64_t wait_ns);
// The monotonic clock the shim times waits with, in ns.
uint64_t lock_stat_clock_ns();

struct lock_stat_entry {
  std::string name;  // the lock's name, such as "&class_->lock"
  unsigned long acquisitions = 0;
  unsigned long contentions = 0;
  uint64_t waittime_total_ns = 0;
};
// Classes with at least one acquisition counted, summed by name (each
// variant's library has its own keys for the same lock), sorted by name.
std::vector<lock_stat_entry> lock_stat_read();

}  // namespace kernel
