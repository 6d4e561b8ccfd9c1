// struct page, page flags, the page lock and the page refcount.
//
// Pages are real 4 KiB frames in one arena indexed by PFN (page_alloc.h). The
// fields are the ones mm/zpdesc.h overlays, in the same order, so the port's
// struct zpdesc can be checked against this layout field by field.
#pragma once

#include <atomic>

#include "kernel/bug.h"
#include "kernel/list.h"
#include "kernel/sched.h"
#include "kernel/types.h"

namespace kernel {

struct movable_operations;

// Bit numbers in page->flags.
enum pageflags {
  PG_locked = 0,
  PG_private = 1,
  PG_buddy = 2,        // on the page allocator's free list (custom: the kernel uses a page type)
  PG_movable_ops = 3,  // page->mapping holds movable_operations
  PG_isolated = 4,     // isolated by the migration core
  PG_waiters = 5,
};

// Page types live in the top byte of page_type (include/linux/page-flags.h).
inline constexpr unsigned int PGTY_zsmalloc = 0xf6;
inline constexpr unsigned int PAGE_TYPE_NONE = 0;

struct page {
  std::atomic<unsigned long> flags;
  list_head lru;
  unsigned long mapping;   // movable_operations* for movable pages
  unsigned long index;     // zpdesc: next page of the zspage, or the huge object's handle
  unsigned long private_;  // zpdesc: owning zspage
  unsigned int page_type;  // top byte: type; low 24 bits: zsmalloc first_obj_offset
  std::atomic<int> _refcount;
  // Simulation-only: waiters for the page lock.
  wait_queue_head lock_wq;
};

inline bool test_bit(int nr, const std::atomic<unsigned long>* flags) {
  return (flags->load(std::memory_order_relaxed) >> nr) & 1UL;
}
inline void set_bit(int nr, std::atomic<unsigned long>* flags) {
  flags->fetch_or(1UL << nr, std::memory_order_relaxed);
}
inline void clear_bit(int nr, std::atomic<unsigned long>* flags) {
  flags->fetch_and(~(1UL << nr), std::memory_order_relaxed);
}

inline bool PagePrivate(const page* p) { return test_bit(PG_private, &p->flags); }
inline void SetPagePrivate(page* p) { set_bit(PG_private, &p->flags); }
inline void ClearPagePrivate(page* p) { clear_bit(PG_private, &p->flags); }
inline bool PageLocked(const page* p) { return test_bit(PG_locked, &p->flags); }
inline bool PageIsolated(const page* p) { return test_bit(PG_isolated, &p->flags); }
inline bool PageMovable(const page* p) { return test_bit(PG_movable_ops, &p->flags); }
inline bool PageBuddy(const page* p) { return test_bit(PG_buddy, &p->flags); }

inline bool PageZsmalloc(const page* p) { return (p->page_type >> 24) == PGTY_zsmalloc; }
// Sticky until the page is freed to the buddy allocator, as in the kernel.
inline void __SetPageZsmalloc(page* p) { p->page_type = (PGTY_zsmalloc << 24) | (p->page_type & 0xffffffu); }

// Marks the page movable with these operations. Custom: the newest kernels
// register movable ops per page type (set_movable_ops); here each pool variant
// has its own ops, so they are stored per page, as S3-era kernels did.
void __SetPageMovable(page* p, const movable_operations* mops);
const movable_operations* page_movable_ops(const page* p);

// The page lock (folio_trylock / folio_lock / folio_unlock). lock_page and
// wait_on_page_locked may sleep; trylock_page never waits.
bool trylock_page(page* p);
void lock_page(page* p);
void unlock_page(page* p);
void wait_on_page_locked(page* p);

// References: put_page() frees the page to the buddy allocator on the last one.
void get_page(page* p);
bool get_page_unless_zero(page* p);
void put_page(page* p);
inline int page_ref_count(const page* p) { return p->_refcount.load(std::memory_order_relaxed); }

unsigned long page_to_pfn(const page* p);
page* pfn_to_page(unsigned long pfn);
// True if `pfn` names a page of the arena.
bool pfn_valid(unsigned long pfn);
void* page_address(const page* p);

}  // namespace kernel
