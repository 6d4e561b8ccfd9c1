// lockdep-lite: a class-level lock-order graph.
//
// Like the kernel's lockdep, each lock belongs to a class (one static
// lock_class_key per init site, so all class->lock instances are one class).
// Every non-trylock acquisition adds edges "held class -> new class"; the first
// acquisition that closes a cycle prints a report naming both orders and is
// counted. Trylocks never wait, so they add no edge, which is why zs_free may
// trylock page locks under class->lock (zsmalloc-reference.md section 4).
#pragma once

#include <cstddef>

namespace kernel {

struct lock_class_stats;

struct lock_class_key {
  // Assigned on first use: lockdep's generation (lockdep_reset() starts a new
  // one) in the high half, the class id in the low half; a key of an older
  // generation is not registered, so a reset never has to find its keys.
  unsigned long id = 0;
  // The class's lock statistics (kernel/lock_stat.h), made on the first
  // acquisition counted while they are on; null until then.
  lock_class_stats* stats = nullptr;
};

struct lockdep_map {
  const char* name = nullptr;
  lock_class_key* key = nullptr;
};

inline constexpr int MAX_LOCK_DEPTH = 48;

struct held_lock {
  const lockdep_map* map;
  const void* instance;
  bool trylock;
  bool read;
  int cls;  // the map's class id when acquired (ids change only at lockdep_reset)
  // The map's name when acquired (a static string): reports name a held lock
  // without reading the lock, which a buggy owner may have freed meanwhile.
  const char* name;
};

struct held_locks {
  held_lock stack[MAX_LOCK_DEPTH];
  int depth = 0;
  int off = 0;  // lockdep_off() nesting: > 0 means this task's locks are not tracked
};

void lockdep_init_map(lockdep_map* map, const char* name, lock_class_key* key, int subclass);
// `instance` tells two locks of one class apart in the held stack.
void lock_acquire(lockdep_map* map, const void* instance, bool trylock, bool read);
void lock_release(lockdep_map* map, const void* instance);
// True if the current task holds the lock of this map at `instance`.
bool lock_is_held(const lockdep_map* map, const void* instance);

// The kernel's rwsem annotations, used by zsmalloc's zspage_lock.
inline void rwsem_acquire_read(lockdep_map* map, const void* instance, bool trylock) {
  lock_acquire(map, instance, trylock, /*read=*/true);
}
inline void rwsem_acquire(lockdep_map* map, const void* instance, bool trylock) {
  lock_acquire(map, instance, trylock, /*read=*/false);
}
inline void rwsem_release(lockdep_map* map, const void* instance) { lock_release(map, instance); }

// As the kernel's lockdep_off()/lockdep_on() (current->lockdep_recursion):
// while off, the current task's acquisitions and releases are not tracked
// (no edges, no held stack; lock_is_held is false). For reads that are not
// the program's, such as an oracle's snapshot, taken one lock at a time; a
// lock taken while off must be released while off.
void lockdep_off();
void lockdep_on();

// Reports seen so far (process-wide), and the text of the first one ("" if none).
unsigned long lockdep_report_count();
const char* lockdep_first_report();
// Forgets every class, the order graph and the reports (between independent
// runs): classes are numbered again from 1 in order of first use.
void lockdep_reset();

}  // namespace kernel
