// struct page operations: the page lock, reference counts, PFN conversion and movable-ops marking.
#include <atomic>
#include <cstdio>
#include <string>

#include "allocator/kernel/src/internal.h"
#include "kernel/migrate.h"
#include "kernel/page.h"

namespace kernel {
namespace {

// All page locks are one lockdep class, as all folio locks would be.
lock_class_key page_lock_key;
lockdep_map page_lock_map{"page_lock", &page_lock_key};

constexpr unsigned long PG_LOCKED_BIT = 1UL << PG_locked;

bool page_trylock_raw(page* p) {
  return !(p->flags.fetch_or(PG_LOCKED_BIT, std::memory_order_acquire) & PG_LOCKED_BIT);
}

void check_not_free(const page* p, const char* op) {
  if (PageBuddy(p)) [[unlikely]] {
    internal::bug_report(__FILE__, __LINE__, (std::string(op) + " on a free page").c_str(),
                         internal::describe_page(p));
  }
}

}  // namespace

namespace internal {

long page_index(const page* p) {
  const page* pages = arena.pages.load(std::memory_order_relaxed);
  const unsigned long n = arena.nr_pages.load(std::memory_order_relaxed);
  if (!pages || p < pages || p >= pages + n) return -1;
  return p - pages;
}

}  // namespace internal

void __SetPageMovable(page* p, const movable_operations* mops) {
  p->mapping = reinterpret_cast<unsigned long>(mops);
  set_bit(PG_movable_ops, &p->flags);
}

const movable_operations* page_movable_ops(const page* p) {
  if (!PageMovable(p)) return nullptr;
  return reinterpret_cast<const movable_operations*>(p->mapping);
}

bool trylock_page(page* p) {
  yield_point("trylock_page", p);
  check_not_free(p, "trylock_page");
  if (!page_trylock_raw(p)) return false;
  lock_acquire(&page_lock_map, p, /*trylock=*/true, /*read=*/false);
  return true;
}

void lock_page(page* p) {
  might_sleep();
  check_not_free(p, "lock_page");
  // Announced before waiting, so an inversion is reported even if it does not deadlock this time.
  lock_acquire(&page_lock_map, p, /*trylock=*/false, /*read=*/false);
  yield_point("lock_page", p);
  wait_event(&p->lock_wq, [p] { return page_trylock_raw(p); });
}

void unlock_page(page* p) {
  if (!PageLocked(p)) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "unlock_page of an unlocked page", internal::describe_page(p));
  lock_release(&page_lock_map, p);
  p->flags.fetch_and(~PG_LOCKED_BIT, std::memory_order_release);
  wake_up(&p->lock_wq);
  yield_point("unlock_page", p);
}

void wait_on_page_locked(page* p) {
  might_sleep();
  wait_event(&p->lock_wq, [p] { return !(p->flags.load(std::memory_order_acquire) & PG_LOCKED_BIT); });
}

void get_page(page* p) {
  yield_point("get_page", p);
  const int old = p->_refcount.fetch_add(1, std::memory_order_relaxed);
  if (old <= 0) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "get_page on a page with no references",
                         internal::describe_page(p));
}

bool get_page_unless_zero(page* p) {
  yield_point("get_page_unless_zero", p);
  int c = p->_refcount.load(std::memory_order_relaxed);
  while (c > 0) {
    if (p->_refcount.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_relaxed))
      return true;
  }
  return false;
}

void put_page(page* p) {
  yield_point("put_page", p);
  if (PageBuddy(p)) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "Bad page state: freeing a free page (double free)",
                         internal::describe_page(p));
  const int old = p->_refcount.fetch_sub(1, std::memory_order_acq_rel);
  if (old <= 0) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "Bad page state: refcount underflow",
                         internal::describe_page(p));
  if (old == 1) internal::free_page_to_buddy(p);
}

unsigned long page_to_pfn(const page* p) {
  const long idx = internal::page_index(p);
  if (idx < 0) [[unlikely]] {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "page: %p\n", static_cast<const void*>(p));
    internal::bug_report(__FILE__, __LINE__, "page_to_pfn of a page outside the arena", buf);
  }
  return ARENA_BASE_PFN + static_cast<unsigned long>(idx);
}

bool pfn_valid(unsigned long pfn) {
  return pfn >= ARENA_BASE_PFN &&
         pfn - ARENA_BASE_PFN < internal::arena.nr_pages.load(std::memory_order_relaxed);
}

page* pfn_to_page(unsigned long pfn) {
  if (!pfn_valid(pfn)) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "pfn_to_page of an invalid pfn",
                         "pfn: " + std::to_string(pfn) + "\n");
  return internal::arena.pages.load(std::memory_order_relaxed) + (pfn - ARENA_BASE_PFN);
}

void* page_address(const page* p) {
  const unsigned long idx = page_to_pfn(p) - ARENA_BASE_PFN;
  return internal::arena.base.load(std::memory_order_relaxed) + idx * PAGE_SIZE;
}

}  // namespace kernel
