// The page allocator: one zone over a PFN-indexed arena, FIFO free list, poisoning, fault injection and
// zone-lock pressure.
#include <emmintrin.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "allocator/kernel/src/internal.h"
#include "kernel/page_alloc.h"

namespace kernel {

namespace internal {

arena_layout arena;

void fault_injector::set(long skip, long n) {
  // Disarm first, so no allocation consumes a failure meant to come after `skip`.
  fail_.store(0, std::memory_order_relaxed);
  skip_.store(skip > 0 ? skip : 0, std::memory_order_relaxed);
  fail_.store(n, std::memory_order_relaxed);
}

bool fault_injector::should_fail() {
  long f = fail_.load(std::memory_order_relaxed);
  if (f == 0) [[likely]]
    return false;
  long s = skip_.load(std::memory_order_relaxed);
  while (s > 0) {
    if (skip_.compare_exchange_weak(s, s - 1, std::memory_order_relaxed)) return false;
  }
  while (f != 0) {
    if (f < 0) return true;
    if (fail_.compare_exchange_weak(f, f - 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace internal

namespace {

using internal::arena;

// Its lock makes no TSan edge (__spin_lock_init_no_tsan_edges): the kernel
// frees and allocates most pages through per-CPU lists, so two CPUs that
// allocate pages are not ordered by that. A page passing from one thread to
// another has its own edge (tsan_hand_off/tsan_take_over).
zone contig_zone;
lock_class_key zone_lock_key;

// Guarded by contig_zone.lock (by arena_mutex in the resets, which run with no
// task in the kernel): pages [0, high_water) have been handed out at least
// once since the arena was mapped or reset; the rest are as new.
unsigned long high_water = 0;
std::atomic<long> pages_in_use{0};

std::atomic<bool> arena_ready{false};
std::mutex arena_mutex;  // page_arena_init and first-use setup only

internal::fault_injector page_faults;
std::atomic<unsigned int> pressure_steps{0};

void map_arena_locked(unsigned long nr_pages) {
  if (nr_pages == 0) kernel_bug(__FILE__, __LINE__, "page_arena_init: zero pages");
  if (char* old = arena.base.load(std::memory_order_relaxed)) {
    const unsigned long old_n = arena.nr_pages.load(std::memory_order_relaxed);
    ZS_ASAN_UNPOISON(old, old_n * PAGE_SIZE);
    munmap(old, old_n * PAGE_SIZE);
    delete[] arena.pages.load(std::memory_order_relaxed);
  }
  void* mem = mmap(nullptr, nr_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) kernel_bug(__FILE__, __LINE__, "page_arena_init: mmap of the arena failed");
  // Never-used pages count as free: touching one is a use of free memory.
  ZS_ASAN_POISON(mem, nr_pages * PAGE_SIZE);
  arena.base.store(static_cast<char*>(mem), std::memory_order_relaxed);
  arena.pages.store(new page[nr_pages](), std::memory_order_relaxed);
  arena.nr_pages.store(nr_pages, std::memory_order_relaxed);
  high_water = 0;
  INIT_LIST_HEAD(&contig_zone.free_list);
  atomic_long_set(&contig_zone.vm_stat[NR_FREE_PAGES], static_cast<long>(nr_pages));
}

void ensure_arena() {
  if (arena_ready.load(std::memory_order_acquire)) [[likely]]
    return;
  std::lock_guard<std::mutex> guard(arena_mutex);
  if (arena_ready.load(std::memory_order_relaxed)) return;
  __spin_lock_init_no_tsan_edges(&contig_zone.lock, "&zone->lock", &zone_lock_key);
  map_arena_locked(DEFAULT_ARENA_PAGES);
  arena_ready.store(true, std::memory_order_release);
}

// Memory pressure: a longer zone->lock hold time with preemption points in it.
// The spin is the hold time real threads see; under a virtual-time backend the
// preemption points alone are the hold time (and 200 pauses a step made
// pressure-heavy programs spend most of their wall time here).
void zone_pressure_work(zone* z) {
  const unsigned int steps = pressure_steps.load(std::memory_order_relaxed);
  const bool spin = !get_sched_ops().virtual_time;
  for (unsigned int i = 0; i < steps; i++) {
    yield_point("zone_pressure", z);
    if (spin) zone_pressure_spin();
  }
}

[[noreturn]] void bad_page(const page* p, const char* reason) {
  internal::bug_report(__FILE__, __LINE__, (std::string("Bad page state: ") + reason).c_str(),
                       internal::describe_page(p));
}

// Page poison is written and checked 16 bytes at a time, not by memset and a
// word loop: callgrind counts memset's `rep stosb` as one instruction per
// byte, 4,096 a page, which made the poison most of an execution's measured
// instructions (scripts/bench-targets.sh) while it costs about the same time
// either way. The empty asm keeps the compiler from turning the loop back
// into a memset call.
void poison_page(unsigned char* addr) {
  const __m128i pattern = _mm_set1_epi8(static_cast<char>(PAGE_POISON));
  auto* v = reinterpret_cast<__m128i*>(addr);
  for (unsigned long i = 0; i < PAGE_SIZE / sizeof(__m128i); i += 4) {
    _mm_store_si128(v + i, pattern);
    _mm_store_si128(v + i + 1, pattern);
    _mm_store_si128(v + i + 2, pattern);
    _mm_store_si128(v + i + 3, pattern);
    asm volatile("" ::: "memory");
  }
}

#ifndef ZS_KERNEL_ASAN
// Free pages hold PAGE_POISON; anything else means someone wrote to a free page.
void check_poison(const page* p, const unsigned char* addr) {
  const __m128i pattern = _mm_set1_epi8(static_cast<char>(PAGE_POISON));
  const auto* v = reinterpret_cast<const __m128i*>(addr);
  unsigned long i = 0;
  for (; i < PAGE_SIZE / sizeof(__m128i); i += 4) {
    const __m128i diff = _mm_or_si128(_mm_or_si128(_mm_xor_si128(_mm_load_si128(v + i), pattern),
                                                   _mm_xor_si128(_mm_load_si128(v + i + 1), pattern)),
                                      _mm_or_si128(_mm_xor_si128(_mm_load_si128(v + i + 2), pattern),
                                                   _mm_xor_si128(_mm_load_si128(v + i + 3), pattern)));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) != 0xffff) [[unlikely]]
      break;
  }
  if (i == PAGE_SIZE / sizeof(__m128i)) [[likely]]
    return;
  unsigned long off = i * sizeof(__m128i);
  while (addr[off] == PAGE_POISON) off++;
  char what[128];
  std::snprintf(what, sizeof(what), "page poison corrupted (byte 0x%lx is 0x%02x, expected 0x%02x)", off,
                addr[off], PAGE_POISON);
  kernel_bug_page(__FILE__, __LINE__, what, p);
}
#endif

void prep_new_page(page* p, gfp_t gfp, bool fresh) {
  auto* addr = static_cast<unsigned char*>(page_address(p));
  ZS_ASAN_UNPOISON(addr, PAGE_SIZE);
#ifndef ZS_KERNEL_ASAN
  if (!fresh) check_poison(p, addr);
#endif
  // A fresh page gets the poison too, so contents never depend on the page's history.
  if (gfp & __GFP_ZERO)
    std::memset(addr, 0, PAGE_SIZE);
  else if (fresh)
    poison_page(addr);
  p->mapping = 0;
  p->index = 0;
  p->private_ = 0;
  p->page_type = PAGE_TYPE_NONE;
  INIT_LIST_HEAD(&p->lru);
  p->flags.store(0, std::memory_order_relaxed);
  p->_refcount.store(1, std::memory_order_release);
}

// Every page handed out since the arena was mapped or last restarted, free or
// not, back to what new page[]() made of it: not PG_buddy, so its next
// allocation writes the poison as for a never-used page and checks nothing
// the earlier runs left. Under arena_mutex, with no task in the kernel.
void forget_pages_locked() {
  page* const pages = arena.pages.load(std::memory_order_relaxed);
  for (unsigned long i = 0; i < high_water; i++) {
    page* p = pages + i;
    // Locks, isolation and references a task left behind go too. lock_wq
    // keeps its free-running backend object: it holds nothing while nobody waits.
    p->flags.store(0, std::memory_order_relaxed);
    p->lru.next = p->lru.prev = nullptr;
    p->mapping = 0;
    p->index = 0;
    p->private_ = 0;
    p->page_type = PAGE_TYPE_NONE;
    p->_refcount.store(0, std::memory_order_relaxed);
    p->lock_wq.seq.store(0, std::memory_order_relaxed);
  }
  ZS_ASAN_POISON(arena.base.load(std::memory_order_relaxed), high_water * PAGE_SIZE);
  high_water = 0;
  pages_in_use.store(0, std::memory_order_relaxed);
  INIT_LIST_HEAD(&contig_zone.free_list);
  atomic_long_set(&contig_zone.vm_stat[NR_FREE_PAGES],
                  static_cast<long>(arena.nr_pages.load(std::memory_order_relaxed)));
}

// The free list under zone->lock, whose lock orders nothing for TSan. A
// page's own list links are written and read as the page's (checked, and
// ordered by its hand-off: the free releases the page, the allocation takes
// it over before reading them): they overlay zpdesc fields, so a racy reader
// of a freed zpdesc still races with them. The list head and the neighbours'
// links are the list's bookkeeping, unordered across threads: unchecked.
void free_list_add_tail(zone* z, page* p) {
  list_head* tail;
  {
    internal::tsan_ignore_accesses list;
    tail = z->free_list.prev;
  }
  p->lru.next = &z->free_list;
  p->lru.prev = tail;
  internal::tsan_hand_off(p);  // the page as freed, links included, to whoever takes it next
  internal::tsan_ignore_accesses list;
  tail->next = &p->lru;
  z->free_list.prev = &p->lru;
}

// The list's first page, taken off it, or nullptr if it is empty.
page* free_list_take_first(zone* z) {
  list_head* first;
  {
    internal::tsan_ignore_accesses list;
    first = z->free_list.next;
  }
  if (first == &z->free_list) return nullptr;
  page* p = list_entry(first, page, lru);
  internal::tsan_take_over(p);  // its free (the poison, its fields) happens before this
  list_head* const prev = p->lru.prev;
  list_head* const next = p->lru.next;
  {
    internal::tsan_ignore_accesses list;
    prev->next = next;
    next->prev = prev;
  }
  p->lru.next = LIST_POISON1;
  p->lru.prev = LIST_POISON2;
  return p;
}

}  // namespace

namespace internal {

void free_page_to_buddy(page* p) {
  const unsigned long flags = p->flags.load(std::memory_order_acquire);
  if (flags & (1UL << PG_buddy)) bad_page(p, "freeing a free page (double free)");
  if (flags & (1UL << PG_locked)) bad_page(p, "PG_locked set when freed");
  if (flags & (1UL << PG_private)) bad_page(p, "PG_private set when freed");
  if (flags & (1UL << PG_isolated)) bad_page(p, "PG_isolated set when freed");
  if (p->private_ != 0) bad_page(p, "page->private set when freed");
  if (p->_refcount.load(std::memory_order_relaxed) != 0) bad_page(p, "nonzero refcount when freed");
  p->mapping = 0;
  p->index = 0;
  p->page_type = PAGE_TYPE_NONE;
  auto* addr = static_cast<unsigned char*>(page_address(p));
  poison_page(addr);
  ZS_ASAN_POISON(addr, PAGE_SIZE);
  p->flags.store(1UL << PG_buddy, std::memory_order_release);

  zone* z = &contig_zone;
  spin_lock(&z->lock);
  zone_pressure_work(z);
  free_list_add_tail(z, p);
  pages_in_use.fetch_sub(1, std::memory_order_relaxed);
  z->vm_stat[NR_FREE_PAGES].counter.fetch_add(1, std::memory_order_relaxed);
  spin_unlock(&z->lock);
}

}  // namespace internal

void page_arena_init(unsigned long nr_pages) {
  std::lock_guard<std::mutex> guard(arena_mutex);
  if (!arena_ready.load(std::memory_order_relaxed)) {
    __spin_lock_init_no_tsan_edges(&contig_zone.lock, "&zone->lock", &zone_lock_key);
  } else if (pages_in_use.load(std::memory_order_relaxed) != 0) {
    internal::bug_report(__FILE__, __LINE__, "page_arena_init with pages still allocated",
                         "pages in use: " + std::to_string(pages_in_use.load()) + "\n");
  }
  map_arena_locked(nr_pages);
  arena_ready.store(true, std::memory_order_release);
}

void page_alloc_reset() {
  ensure_arena();
  std::lock_guard<std::mutex> guard(arena_mutex);
  const long in_use = pages_in_use.load(std::memory_order_relaxed);
  if (in_use != 0) {
    internal::bug_report(__FILE__, __LINE__, "page_alloc_reset with pages still allocated",
                         "pages in use: " + std::to_string(in_use) + "\n");
  }
  // NR_ZSPAGES moves only through inc/dec_zone_page_state: a count leaked by
  // the previous run stays visible (kernel_reset() clears it).
  forget_pages_locked();
}

namespace internal {

void page_alloc_restart() {
  std::lock_guard<std::mutex> guard(arena_mutex);
  page_faults.set(0, 0);
  pressure_steps.store(0, std::memory_order_relaxed);
  if (!arena_ready.load(std::memory_order_relaxed)) return;  // nothing handed out yet: already fresh
  // What pages still in use point to (an abandoned pool's zspages, a huge
  // object's handle) may be named nowhere else: it stays reachable for
  // LeakSanitizer, as the executor keeps the abandoned pool itself
  // (KeepAbandonedPool), so a leak report still means an allocator's leak.
  static auto* kept_for_lsan = new std::vector<unsigned long>;
  const page* const pages = arena.pages.load(std::memory_order_relaxed);
  for (unsigned long i = 0; i < high_water; i++) {
    const page* p = pages + i;
    if (PageBuddy(p)) continue;
    if (p->private_ != 0) kept_for_lsan->push_back(p->private_);
    if (p->index != 0) kept_for_lsan->push_back(p->index);
  }
  forget_pages_locked();
  // A run abandoned while holding zone->lock (a deadlock, the step budget) must not keep it.
  __spin_lock_init_no_tsan_edges(&contig_zone.lock, "&zone->lock", &zone_lock_key);
  atomic_long_set(&contig_zone.vm_stat[NR_ZSPAGES], 0);
}

}  // namespace internal

void check_free_pages_poison() {
#ifndef ZS_KERNEL_ASAN
  zone* z = &contig_zone;
  spin_lock(&z->lock);
  const page* const pages = arena.pages.load(std::memory_order_relaxed);
  for (unsigned long i = 0; i < high_water; i++) {
    const page* p = pages + i;
    if (!PageBuddy(p)) continue;
    internal::tsan_take_over(p);  // its free, which wrote the poison, happens before this check
    check_poison(p, static_cast<const unsigned char*>(page_address(p)));
  }
  spin_unlock(&z->lock);
#endif
}

page* alloc_pages_node(int /*nid*/, gfp_t gfp, unsigned int order) {
  if (order != 0) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "alloc_pages_node: only order-0 pages are simulated",
                         "order: " + std::to_string(order) + "\n");
  if (gfpflags_allow_blocking(gfp)) might_sleep();
  if (page_faults.should_fail()) return nullptr;
  ensure_arena();

  zone* z = &contig_zone;
  page* p = nullptr;
  bool fresh = false;
  spin_lock(&z->lock);
  zone_pressure_work(z);
  p = free_list_take_first(z);
  if (!p) {
    internal::tsan_ignore_accesses zone_state;
    if (high_water < arena.nr_pages.load(std::memory_order_relaxed)) {
      // Never handed out since the arena was mapped or reset: as new.
      p = arena.pages.load(std::memory_order_relaxed) + high_water++;
      fresh = true;
    }
  }
  if (p) {
    pages_in_use.fetch_add(1, std::memory_order_relaxed);
    z->vm_stat[NR_FREE_PAGES].counter.fetch_sub(1, std::memory_order_relaxed);
  }
  spin_unlock(&z->lock);

  if (!p) {
    if (!(gfp & __GFP_NOWARN))
      pr_warn("page allocation failure: arena of %lu pages exhausted\n", arena.nr_pages.load());
    return nullptr;
  }
  if (fresh) internal::tsan_take_over(p);  // its last free, before a reset, if any
  prep_new_page(p, gfp, fresh);
  return p;
}

page* alloc_page(gfp_t gfp) { return alloc_pages_node(NUMA_NO_NODE, gfp, 0); }

void __free_page(page* p) { put_page(p); }

zone* page_zone(const page* /*p*/) { return &contig_zone; }

void inc_zone_page_state(page* p, zone_stat_item item) { atomic_long_inc(&page_zone(p)->vm_stat[item]); }
void dec_zone_page_state(page* p, zone_stat_item item) { atomic_long_dec(&page_zone(p)->vm_stat[item]); }

// Not clamped at zero as the kernel's per-cpu counters are: here there is no
// per-cpu drift, so a negative value is a real accounting bug and shows as one.
unsigned long zone_page_state(zone_stat_item item) {
  ensure_arena();
  return static_cast<unsigned long>(atomic_long_read(&contig_zone.vm_stat[item]));
}

unsigned long nr_pages_in_use() {
  return static_cast<unsigned long>(pages_in_use.load(std::memory_order_relaxed));
}

void fault_inject_page_alloc(long n) { page_faults.set(0, n); }
void fault_inject_page_alloc_after(long skip, long n) { page_faults.set(skip, n); }
long fault_inject_page_alloc_pending() { return page_faults.pending(); }

void zone_pressure_spin() {
  for (int j = 0; j < 200; j++) __builtin_ia32_pause();
}

void set_zone_pressure(unsigned int steps) { pressure_steps.store(steps, std::memory_order_relaxed); }
unsigned int zone_pressure() { return pressure_steps.load(std::memory_order_relaxed); }

}  // namespace kernel
