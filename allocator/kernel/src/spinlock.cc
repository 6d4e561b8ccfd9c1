// spinlock_t and rwlock_t (writer-preferring, qrwlock-style contention report) on the scheduler backend.
#include <atomic>
#include <cstdio>
#include <string>

#include "allocator/kernel/src/internal.h"
#include "kernel/lock_stat.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

std::string lock_line(const lockdep_map* map, const void* lock) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "lock: %s (%p)\n", map->name ? map->name : "(unnamed)", lock);
  return buf;
}

void preempt_disable() { get_current()->preempt_count++; }

void preempt_enable(const lockdep_map* map, const void* lock) {
  task_struct* t = get_current();
  if (--t->preempt_count < 0) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "preempt_count underflow", lock_line(map, lock));
}

bool spin_try_raw(spinlock_t* lock) {
  if (lock->locked.load(std::memory_order_relaxed) != 0) return false;
  const internal::tsan_ignore_sync hide(lock->no_tsan_edges);
  return lock->locked.exchange(1, std::memory_order_acquire) == 0;
}

void spin_release_raw(spinlock_t* lock) {
  const internal::tsan_ignore_sync hide(lock->no_tsan_edges);
  lock->locked.store(0, std::memory_order_release);
}

// A reader may enter while no writer holds the lock and none is waiting.
bool read_try_raw(rwlock_t* lock) {
  int c = lock->cnt.load(std::memory_order_relaxed);
  while (c >= 0 && lock->writers_waiting.load(std::memory_order_relaxed) == 0) {
    if (lock->cnt.compare_exchange_weak(c, c + 1, std::memory_order_acquire, std::memory_order_relaxed))
      return true;
  }
  return false;
}

bool write_try_raw(rwlock_t* lock) {
  int expected = 0;
  return lock->cnt.load(std::memory_order_relaxed) == 0 &&
         lock->cnt.compare_exchange_strong(expected, -1, std::memory_order_acquire,
                                           std::memory_order_relaxed);
}

// lock_stat (kernel/lock_stat.h): one acquisition, and the wait of a
// contended one.
struct stat_wait {
  bool contended = false;
  uint64_t since = 0;  // when the wait began, if lock_stat was on then

  void begin() {
    contended = true;
    if (lock_stat_enabled()) since = lock_stat_clock_ns();
  }
  void acquired(const lockdep_map* map) const {
    if (lock_stat_enabled()) [[unlikely]]
      lock_stat_account(map, contended, since != 0 ? lock_stat_clock_ns() - since : 0);
  }
};

spin_acquired_probe_fn spin_acquired_probe = nullptr;

void acquired_probe(const spinlock_t* lock) {
  if (spin_acquired_probe != nullptr) [[unlikely]]
    spin_acquired_probe(lock);
}

}  // namespace

void set_spin_acquired_probe(spin_acquired_probe_fn probe) { spin_acquired_probe = probe; }

void __spin_lock_init(spinlock_t* lock, const char* name, lock_class_key* key) {
  lock->locked.store(0, std::memory_order_relaxed);
  lock->waiters.store(0, std::memory_order_relaxed);
  lock->owner.store(nullptr, std::memory_order_relaxed);
  lock->no_tsan_edges = false;
  lockdep_init_map(&lock->dep_map, name, key, 0);
}

void __spin_lock_init_no_tsan_edges(spinlock_t* lock, const char* name, lock_class_key* key) {
  __spin_lock_init(lock, name, key);
  lock->no_tsan_edges = true;
}

void spin_lock(spinlock_t* lock) {
  task_struct* const me = get_current();
  if (lock->owner.load(std::memory_order_relaxed) == me) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "spinlock recursion", lock_line(&lock->dep_map, lock));
  lock_acquire(&lock->dep_map, lock, /*trylock=*/false, /*read=*/false);
  yield_point("spin_lock", lock);
  stat_wait wait;
  if (!spin_try_raw(lock)) {
    wait.begin();
    const sched_ops& ops = get_sched_ops();
    lock->waiters.fetch_add(1, std::memory_order_relaxed);
    do {
      ops.spin_wait(lock, "spin_lock");
    } while (!spin_try_raw(lock));
    lock->waiters.fetch_sub(1, std::memory_order_relaxed);
  }
  wait.acquired(&lock->dep_map);
  lock->owner.store(me, std::memory_order_relaxed);
  preempt_disable();
  acquired_probe(lock);
}

bool spin_trylock(spinlock_t* lock) {
  yield_point("spin_trylock", lock);
  if (!spin_try_raw(lock)) return false;
  stat_wait{}.acquired(&lock->dep_map);
  lock->owner.store(get_current(), std::memory_order_relaxed);
  preempt_disable();
  lock_acquire(&lock->dep_map, lock, /*trylock=*/true, /*read=*/false);
  acquired_probe(lock);
  return true;
}

void spin_unlock(spinlock_t* lock) {
  if (!spin_is_locked(lock)) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "spin_unlock of an unlocked lock",
                         lock_line(&lock->dep_map, lock));
  lock_release(&lock->dep_map, lock);
  lock->owner.store(nullptr, std::memory_order_relaxed);
  spin_release_raw(lock);
  preempt_enable(&lock->dep_map, lock);
  get_sched_ops().spin_wake(lock);
  yield_point("spin_unlock", lock);
}

void __rwlock_init(rwlock_t* lock, const char* name, lock_class_key* key) {
  lock->cnt.store(0, std::memory_order_relaxed);
  lock->waiters.store(0, std::memory_order_relaxed);
  lock->writers_waiting.store(0, std::memory_order_relaxed);
  lockdep_init_map(&lock->dep_map, name, key, 0);
}

void read_lock(rwlock_t* lock) {
  lock_acquire(&lock->dep_map, lock, /*trylock=*/false, /*read=*/true);
  yield_point("read_lock", lock);
  stat_wait wait;
  if (!read_try_raw(lock)) {
    wait.begin();
    const sched_ops& ops = get_sched_ops();
    lock->waiters.fetch_add(1, std::memory_order_relaxed);
    do {
      ops.spin_wait(lock, "read_lock");
    } while (!read_try_raw(lock));
    lock->waiters.fetch_sub(1, std::memory_order_relaxed);
  }
  wait.acquired(&lock->dep_map);
  preempt_disable();
}

void read_unlock(rwlock_t* lock) {
  if (lock->cnt.load(std::memory_order_relaxed) <= 0) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "read_unlock of a lock not read-held",
                         lock_line(&lock->dep_map, lock));
  lock_release(&lock->dep_map, lock);
  lock->cnt.fetch_sub(1, std::memory_order_release);
  preempt_enable(&lock->dep_map, lock);
  get_sched_ops().spin_wake(lock);
  yield_point("read_unlock", lock);
}

void write_lock(rwlock_t* lock) {
  lock_acquire(&lock->dep_map, lock, /*trylock=*/false, /*read=*/false);
  yield_point("write_lock", lock);
  stat_wait wait;
  if (!write_try_raw(lock)) {
    wait.begin();
    const sched_ops& ops = get_sched_ops();
    // Announce the waiting writer first, so new readers queue behind it.
    lock->writers_waiting.fetch_add(1, std::memory_order_relaxed);
    lock->waiters.fetch_add(1, std::memory_order_relaxed);
    do {
      ops.spin_wait(lock, "write_lock");
    } while (!write_try_raw(lock));
    lock->waiters.fetch_sub(1, std::memory_order_relaxed);
    lock->writers_waiting.fetch_sub(1, std::memory_order_relaxed);
  }
  wait.acquired(&lock->dep_map);
  preempt_disable();
}

void write_unlock(rwlock_t* lock) {
  if (lock->cnt.load(std::memory_order_relaxed) != -1) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "write_unlock of a lock not write-held",
                         lock_line(&lock->dep_map, lock));
  lock_release(&lock->dep_map, lock);
  lock->cnt.store(0, std::memory_order_release);
  preempt_enable(&lock->dep_map, lock);
  get_sched_ops().spin_wake(lock);
  yield_point("write_unlock", lock);
}

}  // namespace kernel
