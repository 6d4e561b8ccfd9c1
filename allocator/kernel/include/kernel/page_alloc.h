// The simulated page allocator: one zone over an arena of real 4 KiB pages.
//
// Allocation and free take zone->lock, a real lock with yield points. Two
// knobs make it misbehave on purpose:
//  - memory pressure: extra yield points (and, free-running, busy work) while
//    zone->lock is held, i.e. a longer zone-lock hold time;
//  - fault injection: the next page or slab allocations fail.
// Freed pages are filled with PAGE_POISON and ASan-poisoned, so any touch of a
// freed page is caught. Freeing a page twice, or one that is still locked,
// isolated or linked into a zspage, is a BUG ("Bad page state").
#pragma once

#include "kernel/atomic.h"
#include "kernel/page.h"
#include "kernel/spinlock.h"

namespace kernel {

enum zone_stat_item { NR_ZSPAGES, NR_FREE_PAGES, NR_VM_ZONE_STAT_ITEMS };

struct zone {
  spinlock_t lock;
  list_head free_list;
  atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

inline constexpr unsigned char PAGE_POISON = 0xaa;
inline constexpr unsigned long DEFAULT_ARENA_PAGES = 1UL << 16;  // 256 MiB of address space on 4 KiB pages
inline constexpr unsigned long ARENA_BASE_PFN = 0x10000;

// Sizes the arena (pages are mapped lazily). Only before the first allocation
// or after page_alloc_reset(); the default is DEFAULT_ARENA_PAGES.
void page_arena_init(unsigned long nr_pages);
// Returns the allocator to its initial state so PFNs repeat across runs:
// every page as new, PFNs from ARENA_BASE_PFN. BUGs if any page is still
// allocated; leaves NR_ZSPAGES and the knobs below alone. kernel_reset()
// (reset.h) resets the whole kernel, pages in use included.
void page_alloc_reset();

page* alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
page* alloc_page(gfp_t gfp);
void __free_page(page* p);

zone* page_zone(const page* p);
void inc_zone_page_state(page* p, zone_stat_item item);
void dec_zone_page_state(page* p, zone_stat_item item);
unsigned long zone_page_state(zone_stat_item item);
// Pages handed out and not yet freed.
unsigned long nr_pages_in_use();

// BUGs ("page poison corrupted") if a free page handed out since the last
// reset no longer holds the poison: a write after free that no later
// allocation of that page saw. A check's end-of-run sweep, so that such a
// write is the finding of the input that made it (kernel_reset() forgets the
// free pages' contents). Builds with ASan check nothing here: ASan reports
// the write itself.
void check_free_pages_poison();

// Fault injection: fail the next `n` page (or slab) allocations; 0 stops.
// A negative n fails every allocation until set again.
void fault_inject_page_alloc(long n);
void fault_inject_slab_alloc(long n);
// Let `skip` allocations succeed, then fail the next `n`.
void fault_inject_page_alloc_after(long skip, long n);
void fault_inject_slab_alloc_after(long skip, long n);
// Injected failures not handed out yet (< 0: every allocation fails), so a
// harness can tell an injected -ENOMEM from a spurious one.
long fault_inject_page_alloc_pending();
long fault_inject_slab_alloc_pending();
// Zone-lock pressure: `steps` extra yield points per allocation or free under zone->lock.
void set_zone_pressure(unsigned int steps);
unsigned int zone_pressure();
// The busy work of one pressure step on a real CPU (200 pause instructions),
// for a benchmark to time what a step adds to the hold time.
void zone_pressure_spin();

}  // namespace kernel
