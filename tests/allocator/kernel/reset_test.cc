// kernel_reset(): after pages left in use (locked, typed, movable, counted),
// a free page written to, caches with objects, a lock an exited task still
// held, lockdep reports, WARNs and armed knobs, the kernel reads exactly as in
// a process that just started.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::kAsan;
using kernel_test::kthread;

class ResetTest : public kernel_test::KernelTest {};

// Everything the kernel shows that a run could have changed, read without
// keeping a page.
struct Observables {
  unsigned long pages_in_use, nr_zspages, nr_free_pages, warns, lockdep_reports;
  long page_faults, slab_faults;
  unsigned int pressure;
  std::vector<unsigned long> pfns;  // of scripted_pfns()

  bool operator==(const Observables&) const = default;
};

bool all_bytes(const page* p, unsigned char value) {
  const auto* b = static_cast<const unsigned char*>(page_address(p));
  for (unsigned long i = 0; i < PAGE_SIZE; i++)
    if (b[i] != value) return false;
  return true;
}

// Five pages, two freed and taken again (the free list is FIFO), one more;
// every page must come as new. All freed at the end, so a second run of the
// script without a reset meets them in the free list in another order.
std::vector<unsigned long> scripted_pfns() {
  std::vector<page*> held;
  for (int i = 0; i < 5; i++) held.push_back(alloc_page(GFP_KERNEL));
  __free_page(held[3]);
  __free_page(held[0]);
  held[3] = alloc_page(GFP_KERNEL);
  held[0] = alloc_page(GFP_KERNEL);
  held.push_back(alloc_page(GFP_KERNEL));
  std::vector<unsigned long> pfns;
  for (page* p : held) {
    EXPECT_EQ(p->flags.load(), 0u);
    EXPECT_EQ(page_ref_count(p), 1);
    EXPECT_EQ(p->page_type, PAGE_TYPE_NONE);
    EXPECT_EQ(page_movable_ops(p), nullptr);
    EXPECT_EQ(p->private_, 0u);
    EXPECT_TRUE(all_bytes(p, PAGE_POISON)) << "pfn 0x" << std::hex << page_to_pfn(p);
    pfns.push_back(page_to_pfn(p));
  }
  for (page* p : held) __free_page(p);
  return pfns;
}

Observables Observe() {
  Observables o{nr_pages_in_use(),
                zone_page_state(NR_ZSPAGES),
                zone_page_state(NR_FREE_PAGES),
                kernel_warn_count(),
                lockdep_report_count(),
                fault_inject_page_alloc_pending(),
                fault_inject_slab_alloc_pending(),
                zone_pressure(),
                {}};
  o.pfns = scripted_pfns();
  return o;
}

// What a process that just started shows.
const Observables kFresh{0,
                         0,
                         DEFAULT_ARENA_PAGES,
                         0,
                         0,
                         0,
                         0,
                         0,
                         {ARENA_BASE_PFN + 0, ARENA_BASE_PFN + 1, ARENA_BASE_PFN + 2, ARENA_BASE_PFN + 3,
                          ARENA_BASE_PFN + 4, ARENA_BASE_PFN + 5}};

bool refuse_isolate(page*, isolate_mode_t) { return false; }
int refuse_migrate(page*, page*, migrate_mode) { return -EAGAIN; }
void no_putback(page*) {}
const movable_operations kMops = {refuse_isolate, refuse_migrate, no_putback};

// What a run abandoned after a BUG leaves: its task gone with page locks
// held, and pages with an extra reference, PG_private, movable ops, the
// zsmalloc type, `private` set, counted in NR_ZSPAGES. Returns the pages.
std::vector<page*> abandon_pages(int n) {
  std::vector<page*> pages;
  kthread t(
      [&] {
        for (int i = 0; i < n; i++) {
          page* p = alloc_page(GFP_KERNEL);
          get_page(p);
          trylock_page(p);
          SetPagePrivate(p);
          __SetPageMovable(p, &kMops);
          __SetPageZsmalloc(p);
          p->private_ = 0x1234;
          std::memset(page_address(p), 0x5a, PAGE_SIZE);
          inc_zone_page_state(p, NR_ZSPAGES);
          pages.push_back(p);
        }
      },
      "abandoned");
  t.join();
  return pages;
}

TEST_F(ResetTest, KernelReadsAsInAFreshProcess) {
  EXPECT_EQ(Observe(), kFresh) << "the fixture starts from kernel_reset()";

  const std::vector<page*> abandoned = abandon_pages(6);
  ASSERT_EQ(page_to_pfn(abandoned[0]), ARENA_BASE_PFN);
  page* freed = alloc_page(GFP_KERNEL);
  __free_page(freed);
  if (!kAsan) {
    // A write to a free page: without the reset its next allocation would be
    // "BUG: page poison corrupted", in whatever run came next.
    static_cast<unsigned char*>(page_address(freed))[100] = 0x11;
  }
  kernel_warn(__FILE__, __LINE__, "a WARN of an earlier run");
  fault_inject_page_alloc_after(3, 5);
  fault_inject_slab_alloc(-1);
  set_zone_pressure(7);

  kernel_reset();
  EXPECT_EQ(Observe(), kFresh);
  // The abandoned pages and the written one are free and as new, in PFN order.
  std::vector<page*> again;
  for (size_t i = 0; i <= abandoned.size(); i++) again.push_back(alloc_page(GFP_KERNEL));
  for (size_t i = 0; i < abandoned.size(); i++) EXPECT_EQ(again[i], abandoned[i]);
  EXPECT_EQ(again.back(), freed);
  EXPECT_TRUE(all_bytes(freed, PAGE_POISON));
  ASSERT_TRUE(trylock_page(again[0])) << "the page lock is free";
  unlock_page(again[0]);
  for (page* p : again) __free_page(p);
}

TEST_F(ResetTest, PfnSequenceRepeatsAfterEveryReset) {
  const std::vector<unsigned long> first = scripted_pfns();
  EXPECT_NE(scripted_pfns(), first) << "without a reset the freed pages come back in FIFO order";
  kernel_reset();
  EXPECT_EQ(scripted_pfns(), first);
  abandon_pages(3);
  kernel_reset();
  EXPECT_EQ(scripted_pfns(), first);
}

TEST_F(ResetTest, ZoneLockAnExitedTaskHeldIsFree) {
  __free_page(alloc_page(GFP_KERNEL));  // the zone (and its lock) is set up on first use
  {
    kthread t([] { spin_lock(&page_zone(nullptr)->lock); }, "dies-holding-zone-lock");
  }
  ASSERT_TRUE(spin_is_locked(&page_zone(nullptr)->lock));
  kernel_reset();
  EXPECT_FALSE(spin_is_locked(&page_zone(nullptr)->lock));
  page* p = alloc_page(GFP_KERNEL);
  ASSERT_NE(p, nullptr);
  __free_page(p);
}

TEST_F(ResetTest, CachesForgetTheirObjectsAndNamesCanBeReused) {
  kmem_cache* cache = kmem_cache_create("zs_handle", 8, 0, 0, nullptr);
  ASSERT_NE(cache, nullptr);
  void* live = kmem_cache_alloc(cache, GFP_KERNEL);
  void* freed = kmem_cache_alloc(cache, GFP_KERNEL);
  kmem_cache_free(cache, freed);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(kmem_cache_nr_active(cache), 1u);

  kernel_reset();
  EXPECT_EQ(kmem_cache_nr_active(cache), 0u) << "an abandoned run's objects are forgotten";
  // The cache is usable (its quarantine and lock are as new) and a cache of
  // the same name, as a new pool's module init would make, is created too.
  void* obj = kmem_cache_alloc(cache, GFP_KERNEL);
  ASSERT_NE(obj, nullptr);
  kmem_cache_free(cache, obj);
  kmem_cache* again = kmem_cache_create("zs_handle", 8, 0, 0, nullptr);
  ASSERT_NE(again, nullptr);
  kmem_cache_destroy(again);
  kmem_cache_destroy(cache);
  std::free(live);  // what an abandoned pool would keep; freed here to keep LeakSanitizer quiet
}

using kernel_test::lock_in_order;
using kernel_test::two_classes;

TEST_F(ResetTest, LockdepForgetsClassesOrderAndReports) {
  two_classes l;
  lock_in_order(&l.lock_a, &l.lock_b);
  lock_in_order(&l.lock_b, &l.lock_a);
  ASSERT_EQ(lockdep_report_count(), 1u);
  const std::string report = lockdep_first_report();

  kernel_reset();
  EXPECT_EQ(lockdep_report_count(), 0u);
  EXPECT_STREQ(lockdep_first_report(), "");
  // The order b -> a alone is no inversion any more; a -> b afterwards is,
  // reported as a fresh process reports it.
  lock_in_order(&l.lock_b, &l.lock_a);
  EXPECT_EQ(lockdep_report_count(), 0u);
  kernel_reset();
  lock_in_order(&l.lock_a, &l.lock_b);
  lock_in_order(&l.lock_b, &l.lock_a);
  EXPECT_EQ(lockdep_report_count(), 1u);
  EXPECT_EQ(std::string(lockdep_first_report()), report);
}

unsigned long count_one(shrinker*, shrink_control*) { return 1; }
unsigned long scan_one(shrinker*, shrink_control*) { return 1; }

TEST_F(ResetTest, ShrinkerOfTheSameNameRegistersAgain) {
  shrinker* old = shrinker_alloc(0, "mm-zspool:%s", "zsfuzz-exec");
  ASSERT_NE(old, nullptr);
  old->count_objects = count_one;
  old->scan_objects = scan_one;
  shrinker_register(old);
  kernel_reset();
  shrinker* s = shrinker_alloc(0, "mm-zspool:%s", "zsfuzz-exec");
  ASSERT_NE(s, nullptr);
  s->count_objects = count_one;
  s->scan_objects = scan_one;
  shrinker_register(s);
  EXPECT_EQ(shrinker_run(s, GFP_KERNEL), 1u);
  shrinker_free(s);
  shrinker_free(old);
}

struct counted_work {
  work_struct work;  // first member: the work function casts back
  int runs = 0;
  counted_work() {
    INIT_WORK(&work, [](work_struct* w) { reinterpret_cast<counted_work*>(w)->runs++; });
  }
};

TEST_F(ResetTest, WorkqueueStopsItsWorkerAndStartsAgain) {
  counted_work w;
  ASSERT_TRUE(schedule_work(&w.work));
  kernel_reset();
  EXPECT_EQ(w.runs, 1) << "the worker drains its queue before it stops";
  ASSERT_TRUE(schedule_work(&w.work));
  flush_work(&w.work);
  EXPECT_EQ(w.runs, 2);
}

TEST_F(ResetTest, CountsGenerations) {
  const unsigned long before = kernel_generation();
  kernel_reset();
  EXPECT_EQ(kernel_generation(), before + 1);
}

void quiet_yield_point(const char*, const void*) {}

TEST_F(ResetTest, UnderAnotherSchedulerBackendIsABug) {
  sched_ops other = free_running_sched_ops();
  other.yield_point = quiet_yield_point;
  set_sched_ops(&other);
  EXPECT_DEATH(kernel_reset(), "kernel_reset while a scheduler backend is installed");
  set_sched_ops(nullptr);
}

}  // namespace
