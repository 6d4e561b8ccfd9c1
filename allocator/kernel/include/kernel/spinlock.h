// spinlock_t and rwlock_t on top of the scheduler backend and lockdep-lite.
//
// Acquiring is a yield point; a failed attempt calls the backend's spin_wait
// (free-running: yield the CPU; deterministic: block until released), so
// spinning is modelled as waiting, never as burnt steps. Holding either lock
// is atomic context (preempt_count), as on a !PREEMPT_RT kernel.
#pragma once

#include <atomic>

#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/sched.h"

namespace kernel {

struct spinlock_t {
  std::atomic<int> locked{0};
  // Tasks waiting in spin_lock(), what spin_is_contended() reports.
  std::atomic<int> waiters{0};
  // The holder, as CONFIG_DEBUG_SPINLOCK keeps it: spin_lock() by the holder
  // is the "spinlock recursion" BUG (debug_spin_lock_before()).
  std::atomic<task_struct*> owner{nullptr};
  lockdep_map dep_map;
  // Not in the kernel: set for a lock that stands in for synchronization the
  // kernel does without (see __spin_lock_init_no_tsan_edges).
  bool no_tsan_edges = false;
};

void __spin_lock_init(spinlock_t* lock, const char* name, lock_class_key* key);
// Not a kernel API: a spinlock that schedules, blocks and is tracked by lockdep
// like any other, but whose hand-off is no happens-before edge for TSan. The
// simulator's slab-cache and zone locks are such locks: SLUB frees to per-CPU
// freelists and the page allocator to per-CPU lists, so two CPUs that free a
// slab object or allocate a page are not ordered by that, and a lock here
// would hide the races between what they did before and after. What the
// lock's section touches must be hidden from TSan too (it is bookkeeping
// unordered across threads), and what does pass from thread to thread (an
// object or page freed by one and reused by another) gets its own edge.
void __spin_lock_init_no_tsan_edges(spinlock_t* lock, const char* name, lock_class_key* key);
void spin_lock(spinlock_t* lock);
bool spin_trylock(spinlock_t* lock);
void spin_unlock(spinlock_t* lock);

// Not a kernel API: a probe called with every spinlock a task has just
// acquired (spin_lock, a spin_trylock that succeeded), on that task, before
// it runs on. The oracle's linearization record (oracle/exec) sets it to
// learn in which order program threads entered each class->lock; null (the
// default) costs one load and branch per acquisition.
using spin_acquired_probe_fn = void (*)(const spinlock_t* lock);
void set_spin_acquired_probe(spin_acquired_probe_fn probe);
inline bool spin_is_locked(const spinlock_t* lock) {
  return lock->locked.load(std::memory_order_relaxed) != 0;
}
// Whether a task waits for `lock` (queued spinlocks: another CPU spins on it).
inline bool spin_is_contended(const spinlock_t* lock) {
  return lock->waiters.load(std::memory_order_relaxed) != 0;
}

// cnt > 0: that many readers; cnt == -1: one writer. `waiters` counts tasks
// queued on the lock, which is what rwlock_is_contended() reports (qrwlock).
// Writers are preferred: a reader waits while a writer waits, so compaction's
// write_lock cannot starve behind a stream of zs_free readers.
struct rwlock_t {
  std::atomic<int> cnt{0};
  std::atomic<int> waiters{0};
  std::atomic<int> writers_waiting{0};
  lockdep_map dep_map;
};

void __rwlock_init(rwlock_t* lock, const char* name, lock_class_key* key);
void read_lock(rwlock_t* lock);
void read_unlock(rwlock_t* lock);
void write_lock(rwlock_t* lock);
void write_unlock(rwlock_t* lock);
inline bool rwlock_is_contended(const rwlock_t* lock) {
  return lock->waiters.load(std::memory_order_relaxed) != 0;
}
// Not a kernel API: whether a writer holds `lock`, for a harness read that
// takes no lock and must not look at what the writer may be changing.
inline bool rwlock_is_write_locked(const rwlock_t* lock) {
  return lock->cnt.load(std::memory_order_relaxed) < 0;
}

}  // namespace kernel

#define spin_lock_init(lock)                               \
  do {                                                     \
    static ::kernel::lock_class_key spin_key_;             \
    ::kernel::__spin_lock_init((lock), #lock, &spin_key_); \
  } while (0)
#define rwlock_init(lock)                             \
  do {                                                \
    static ::kernel::lock_class_key rw_key_;          \
    ::kernel::__rwlock_init((lock), #lock, &rw_key_); \
  } while (0)
#define assert_spin_locked(lock) BUG_ON(!::kernel::spin_is_locked(lock))
