// kmem_cache on malloc with free poisoning and a per-cache quarantine; kmalloc family; slab fault injection.
#include <malloc.h>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "allocator/kernel/src/internal.h"
#include "kernel/slab.h"
#include "kernel/spinlock.h"

namespace kernel {

struct kmem_cache {
  std::string name;
  unsigned int size;
  unsigned int align;
  void (*ctor)(void*);
  std::atomic<long> nr_active{0};
  // Protects the quarantine. No TSan edge (__spin_lock_init_no_tsan_edges):
  // SLUB frees to a per-CPU freelist, so two frees to one cache order nothing.
  spinlock_t lock;
  // FIFO ring of freed objects not yet returned to malloc, and the same
  // objects as a set so a second free of one is caught at once.
  void* ring[SLAB_QUARANTINE_OBJECTS];
  size_t head = 0;
  size_t count = 0;
  std::unordered_set<void*> quarantined;
};

namespace {

lock_class_key slab_lock_key;
internal::fault_injector slab_faults;

// Every cache not destroyed yet (no name registry: as in SLUB, a second cache
// of one name is created like the first). A host mutex, not a simulated lock:
// only kmem_cache_create/destroy and kernel_reset() take it, never the
// alloc/free paths, so it orders nothing a run does.
std::mutex caches_lock;
std::vector<kmem_cache*>& caches() {
  static auto* all = new std::vector<kmem_cache*>;  // never destroyed: atexit handlers may still run
  return *all;
}

void might_alloc(gfp_t gfp) {
  if (gfpflags_allow_blocking(gfp)) might_sleep();
}

void* raw_alloc(const kmem_cache* cache) {
  if (cache->align > alignof(std::max_align_t)) {
    const size_t rounded = (cache->size + cache->align - 1) / cache->align * cache->align;
    return std::aligned_alloc(cache->align, rounded);
  }
  return std::malloc(cache->size);
}

// Back to malloc: whoever freed the object (its poison written, perhaps by
// another thread) hands it on here, as SLUB's freelist would.
void really_free(const kmem_cache* cache, void* obj) {
  internal::tsan_take_over(obj);
  ZS_ASAN_UNPOISON(obj, cache->size);
  std::free(obj);
}

void drain_quarantine(kmem_cache* cache) {
  // The set holds exactly the ring's objects: erased one by one, as clear()
  // would zero the whole bucket array (8 KiB) for a few objects.
  for (size_t i = 0; i < cache->count; i++) {
    void* obj = cache->ring[(cache->head + i) % SLAB_QUARANTINE_OBJECTS];
    cache->quarantined.erase(obj);
    really_free(cache, obj);
  }
  cache->head = 0;
  cache->count = 0;
}

}  // namespace

namespace internal {

void slab_restart() {
  slab_faults.set(0, 0);
  std::lock_guard<std::mutex> guard(caches_lock);
  for (kmem_cache* cache : caches()) {
    // A run abandoned inside kmem_cache_free (its double-free BUG) holds the lock.
    __spin_lock_init_no_tsan_edges(&cache->lock, "slab lock", &slab_lock_key);
    drain_quarantine(cache);
    cache->nr_active.store(0, std::memory_order_relaxed);
  }
}

}  // namespace internal

bool slab_should_fail() { return slab_faults.should_fail(); }
void fault_inject_slab_alloc(long n) { slab_faults.set(0, n); }
void fault_inject_slab_alloc_after(long skip, long n) { slab_faults.set(skip, n); }
long fault_inject_slab_alloc_pending() { return slab_faults.pending(); }

kmem_cache* kmem_cache_create(const char* name, unsigned int size, unsigned int align,
                              unsigned long /*flags*/, void (*ctor)(void*)) {
  if (slab_should_fail()) return nullptr;
  auto* cache = new kmem_cache;
  cache->name = name ? name : "(unnamed)";
  cache->align = align < 8 ? 8 : align;
  if (cache->align & (cache->align - 1))
    kernel_bug(__FILE__, __LINE__, "kmem_cache_create: align not a power of two");
  cache->size = size ? size : 1;
  cache->ctor = ctor;
  __spin_lock_init_no_tsan_edges(&cache->lock, "slab lock", &slab_lock_key);
  cache->quarantined.reserve(2 * SLAB_QUARANTINE_OBJECTS);
  std::lock_guard<std::mutex> guard(caches_lock);
  caches().push_back(cache);
  return cache;
}

void kmem_cache_destroy(kmem_cache* cache) {
  if (!cache) return;
  const long active = cache->nr_active.load(std::memory_order_relaxed);
  if (active != 0) {
    internal::bug_report(__FILE__, __LINE__, "kmem_cache_destroy: Slab cache still has objects",
                         "cache: " + cache->name + " active objects: " + std::to_string(active) + "\n");
  }
  {
    std::lock_guard<std::mutex> guard(caches_lock);
    std::erase(caches(), cache);
  }
  drain_quarantine(cache);
  delete cache;
}

void* kmem_cache_alloc(kmem_cache* cache, gfp_t gfp) {
  might_alloc(gfp);
  if (slab_should_fail()) return nullptr;
  void* obj = raw_alloc(cache);
  if (!obj) return nullptr;
  // SLUB with poisoning hands out objects still holding POISON_FREE: contents
  // never depend on what malloc recycled.
  if (gfp & __GFP_ZERO)
    std::memset(obj, 0, cache->size);
  else
    std::memset(obj, POISON_FREE, cache->size);
  if (cache->ctor) cache->ctor(obj);
  cache->nr_active.fetch_add(1, std::memory_order_relaxed);
  return obj;
}

void* kmem_cache_zalloc(kmem_cache* cache, gfp_t gfp) { return kmem_cache_alloc(cache, gfp | __GFP_ZERO); }

void kmem_cache_free(kmem_cache* cache, void* obj) {
  if (!obj) return;
  void* evicted = nullptr;
  spin_lock(&cache->lock);
  bool twice;
  {
    internal::tsan_ignore_accesses quarantine;
    twice = cache->quarantined.count(obj) != 0;
  }
  if (twice) {
    char line[160];
    std::snprintf(line, sizeof(line), "cache: %s object: %p\n", cache->name.c_str(), obj);
    internal::bug_report(__FILE__, __LINE__, "kmem_cache_free: double free", line);
  }
  if (cache->nr_active.fetch_sub(1, std::memory_order_relaxed) <= 0) {
    internal::bug_report(__FILE__, __LINE__, "kmem_cache_free: more frees than allocations",
                         "cache: " + cache->name + "\n");
  }
  internal::debug_check_no_work_freed(obj, cache->size);
  std::memset(obj, POISON_FREE, cache->size);
  ZS_ASAN_POISON(obj, cache->size);
  internal::tsan_hand_off(obj);
  {
    internal::tsan_ignore_accesses quarantine;
    if (cache->count == SLAB_QUARANTINE_OBJECTS) {
      evicted = cache->ring[cache->head];
      cache->quarantined.erase(evicted);
      cache->head = (cache->head + 1) % SLAB_QUARANTINE_OBJECTS;
      cache->count--;
    }
    cache->ring[(cache->head + cache->count) % SLAB_QUARANTINE_OBJECTS] = obj;
    cache->count++;
    cache->quarantined.insert(obj);
  }
  spin_unlock(&cache->lock);
  if (evicted) really_free(cache, evicted);
}

unsigned long kmem_cache_nr_active(const kmem_cache* cache) {
  return static_cast<unsigned long>(cache->nr_active.load(std::memory_order_relaxed));
}

void* kmalloc(size_t size, gfp_t gfp) {
  might_alloc(gfp);
  if (slab_should_fail()) return nullptr;
  return std::malloc(size ? size : 1);
}

void* kzalloc(size_t size, gfp_t gfp) {
  might_alloc(gfp);
  if (slab_should_fail()) return nullptr;
  return std::calloc(1, size ? size : 1);
}

void kfree(const void* obj) {
  if (!obj) return;
  // kmalloc keeps no size; the usable size covers the object (and at most the
  // allocator's slack, which no other object lies in).
  internal::debug_check_no_work_freed(obj, malloc_usable_size(const_cast<void*>(obj)));
  std::free(const_cast<void*>(obj));
}

char* kstrdup(const char* s, gfp_t gfp) {
  if (!s) return nullptr;
  const size_t len = std::strlen(s) + 1;
  auto* copy = static_cast<char*>(kmalloc(len, gfp));
  if (copy) std::memcpy(copy, s, len);
  return copy;
}

}  // namespace kernel
