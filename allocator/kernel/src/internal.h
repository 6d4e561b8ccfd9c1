// Private to allocator/kernel/src: helpers shared by the simulated kernel's
// source files (report building, the page arena, fault injection, sanitizer
// hooks). Nothing outside this folder includes it.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "kernel/page.h"
#include "kernel/page_alloc.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZS_KERNEL_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define ZS_KERNEL_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(ZS_KERNEL_ASAN)
#define ZS_KERNEL_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(ZS_KERNEL_TSAN)
#define ZS_KERNEL_TSAN 1
#endif

#ifdef ZS_KERNEL_ASAN
#include <sanitizer/asan_interface.h>
#define ZS_ASAN_POISON(addr, size) ASAN_POISON_MEMORY_REGION((addr), (size))
#define ZS_ASAN_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION((addr), (size))
#else
#define ZS_ASAN_POISON(addr, size) ((void)(addr), (void)(size))
#define ZS_ASAN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

#ifdef ZS_KERNEL_TSAN
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace kernel::internal {

// ---- bug.cc -------------------------------------------------------------

// Prints one "BUG: <what> at <file>:<line>" block with `details` (lines ending
// in '\n', may be empty), runs the report hook and aborts.
[[noreturn]] void bug_report(const char* file, int line, const char* what, const std::string& details);
// "page: pfn:0x... refcount:... flags:0x...(locked|private) ..." plus '\n'.
std::string describe_page(const page* p);
// "comm/pid" of the current task.
std::string current_task_name();
// Writes `len` bytes of `text` to stderr with one write(2), so concurrent
// reports do not interleave mid-line and no stdio lock is taken.
void write_stderr(const char* text, size_t len);
// kernel_reset()'s part: WARN count 0, and no BUG report counts as open (one
// whose hook never returned, in a task a scheduler abandoned).
void bug_restart();

// ---- lockdep.cc ----------------------------------------------------------

// "locks held by comm/pid:" and one line per held lock, for reports.
std::string describe_held_locks(const task_struct* task);

// ---- page_alloc.cc -------------------------------------------------------

struct arena_layout {
  std::atomic<char*> base{nullptr};
  std::atomic<page*> pages{nullptr};
  std::atomic<unsigned long> nr_pages{0};
};
// Written only by page_arena_init and the first allocation; read lock-free
// (relaxed, so reading it creates no happens-before edge for TSan).
extern arena_layout arena;

// Index of `p` in the arena's struct page array, or -1 if it is not one of them.
long page_index(const page* p);

// The refcount has dropped to zero: check the page and return it to the
// free list ("Bad page state" BUG if it is still in use).
void free_page_to_buddy(page* p);

// kernel_reset()'s part: every page free and as new (even pages an abandoned
// run still holds), PFNs handed out from ARENA_BASE_PFN again, zone->lock
// unlocked, every zone counter as at boot (NR_ZSPAGES 0), no page fault
// injection, no pressure. The arena keeps its size and its memory.
void page_alloc_restart();

// "Fail the next n allocations after letting `skip` through"; n < 0 fails all.
class fault_injector {
 public:
  void set(long skip, long n);
  bool should_fail();
  // Failures still to hand out after the skipped allocations (< 0: unlimited).
  long pending() const { return fail_.load(std::memory_order_relaxed); }

 private:
  std::atomic<long> skip_{0};
  std::atomic<long> fail_{0};
};

// ---- slab.cc --------------------------------------------------------------

// kernel_reset()'s part, for every kmem_cache that exists: its quarantine
// emptied (the objects really freed), no object counted active (an abandoned
// run's objects are forgotten, not freed), its lock unlocked; no slab fault
// injection. The caches themselves stay, as a loaded module's would.
void slab_restart();

// ---- workqueue.cc ---------------------------------------------------------

// kernel_reset()'s part: workqueue_shutdown(), then an empty queue, no
// worker, the lock unlocked, no work item active.
void workqueue_restart();
// debugobjects' free check for work_struct (CONFIG_DEBUG_OBJECTS_WORK): a BUG
// "ODEBUG: free active object type: work_struct" if [obj, obj + size) holds a
// work item that is queued or running. The kernel warns and cancels the work
// ("fixup"); here the run ends, as what would follow is a use after free by
// the worker or a leak of what the work was to free. kfree() and
// kmem_cache_free() call it; it costs one relaxed load while no work is active.
void debug_check_no_work_freed(const void* obj, size_t size);

// ---- scoped TSan sync hiding ---------------------------------------------

// Bookkeeping locks (lockdep's graph) must not create happens-before edges
// between tasks, or TSan would stop seeing races the simulated kernel has.
// Everything touched inside such a section must therefore be atomic.
// `on` false makes the scope do nothing (a lock that keeps its edges).
class tsan_ignore_sync {
 public:
  explicit tsan_ignore_sync(bool on = true) : on_(on) {
#ifdef ZS_KERNEL_TSAN
    if (on_) AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
#endif
  }
  ~tsan_ignore_sync() {
#ifdef ZS_KERNEL_TSAN
    if (on_) AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
#endif
  }
  tsan_ignore_sync(const tsan_ignore_sync&) = delete;
  tsan_ignore_sync& operator=(const tsan_ignore_sync&) = delete;

 private:
  [[maybe_unused]] const bool on_;  // read only in TSan builds
};

// The section of a lock made with __spin_lock_init_no_tsan_edges: the
// structure it guards (a slab cache's quarantine, the zone's free list) is
// the simulator's, shared by threads the lock does not order for TSan, so its
// accesses go unchecked (TSan's "ignore reads" covers writes too). Such a
// section must not reach a yield point or a BUG: a thread that ends inside it
// would exit with the ignore still on.
class tsan_ignore_accesses {
 public:
  tsan_ignore_accesses() {
#ifdef ZS_KERNEL_TSAN
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  }
  ~tsan_ignore_accesses() {
#ifdef ZS_KERNEL_TSAN
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  }
  tsan_ignore_accesses(const tsan_ignore_accesses&) = delete;
  tsan_ignore_accesses& operator=(const tsan_ignore_accesses&) = delete;
};

// The edge that passing memory from one thread to the next has in the kernel
// (a page through the buddy or per-CPU lists, a slab object through a
// freelist): the freeing thread releases `addr`, whoever takes the memory next
// acquires it. Only the hand-off is ordered, not everything else the two did.
inline void tsan_hand_off(const void* addr) {
#ifdef ZS_KERNEL_TSAN
  __tsan_release(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}
inline void tsan_take_over(const void* addr) {
#ifdef ZS_KERNEL_TSAN
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

}  // namespace kernel::internal
