// The page allocator: round trips, FIFO reuse, PFN determinism, poisoning, Bad page state, fault injection,
// pressure.
#include <atomic>
#include <cstring>
#include <vector>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::kAsan;
using kernel_test::kthread;

class PageAllocTest : public kernel_test::KernelTest {};

bool all_bytes(const page* p, unsigned char value) {
  const auto* b = static_cast<const unsigned char*>(page_address(p));
  for (unsigned long i = 0; i < PAGE_SIZE; i++)
    if (b[i] != value) return false;
  return true;
}

TEST_F(PageAllocTest, AllocFreeRoundTrip) {
  const unsigned long free_before = zone_page_state(NR_FREE_PAGES);
  page* p = alloc_page(GFP_KERNEL);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(nr_pages_in_use(), 1u);
  EXPECT_EQ(page_ref_count(p), 1);
  EXPECT_EQ(p->flags.load(), 0u);
  EXPECT_EQ(page_to_pfn(p), ARENA_BASE_PFN) << "first page after a reset";
  EXPECT_TRUE(pfn_valid(page_to_pfn(p)));
  EXPECT_EQ(pfn_to_page(page_to_pfn(p)), p);
  EXPECT_EQ(page_zone(p), page_zone(p));
  EXPECT_EQ(zone_page_state(NR_FREE_PAGES), free_before - 1);
  std::memset(page_address(p), 0x5c, PAGE_SIZE);  // the page is real, writable memory

  __free_page(p);
  EXPECT_EQ(nr_pages_in_use(), 0u);
  EXPECT_TRUE(PageBuddy(p));
  EXPECT_EQ(page_ref_count(p), 0);
  EXPECT_EQ(zone_page_state(NR_FREE_PAGES), free_before);
}

TEST_F(PageAllocTest, AddressesArePageSizedAndDistinct) {
  page* a = alloc_page(GFP_KERNEL);
  page* b = alloc_page(GFP_KERNEL);
  EXPECT_EQ(page_to_pfn(b), page_to_pfn(a) + 1);
  EXPECT_EQ(static_cast<char*>(page_address(b)) - static_cast<char*>(page_address(a)),
            static_cast<long>(PAGE_SIZE));
  EXPECT_EQ(reinterpret_cast<unsigned long>(page_address(a)) % PAGE_SIZE, 0u);
  EXPECT_EQ(kmap_local_page(a), page_address(a));
  __free_page(a);
  __free_page(b);
}

TEST_F(PageAllocTest, FreeListIsFifo) {
  page* a = alloc_page(GFP_KERNEL);
  page* b = alloc_page(GFP_KERNEL);
  page* c = alloc_page(GFP_KERNEL);
  __free_page(b);
  __free_page(a);
  EXPECT_EQ(alloc_page(GFP_KERNEL), b) << "oldest free page first";
  EXPECT_EQ(alloc_page(GFP_KERNEL), a);
  page* d = alloc_page(GFP_KERNEL);
  EXPECT_EQ(page_to_pfn(d), page_to_pfn(c) + 1) << "free list empty: next never-used page";
  for (page* p : {a, b, c, d}) __free_page(p);
}

std::vector<unsigned long> scripted_pfns() {
  std::vector<unsigned long> pfns;
  std::vector<page*> held;
  pfns.reserve(7);
  held.reserve(7);
  for (int i = 0; i < 6; i++) held.push_back(alloc_page(GFP_KERNEL));
  __free_page(held[4]);
  __free_page(held[1]);
  held[4] = alloc_page(GFP_KERNEL);
  held[1] = alloc_page(GFP_KERNEL);
  held.push_back(alloc_page(GFP_KERNEL));
  for (page* p : held) pfns.push_back(page_to_pfn(p));
  for (page* p : held) __free_page(p);
  return pfns;
}

TEST_F(PageAllocTest, PfnsRepeatAfterReset) {
  const std::vector<unsigned long> first = scripted_pfns();
  page_alloc_reset();
  EXPECT_EQ(scripted_pfns(), first);
  // Without the reset the same script sees the freed pages in FIFO order instead.
  EXPECT_NE(scripted_pfns(), first);
}

TEST_F(PageAllocTest, FreedPageIsPoisoned) {
  page* p = alloc_page(GFP_KERNEL);
  auto* addr = static_cast<volatile unsigned char*>(page_address(p));
  std::memset(page_address(p), 0x11, PAGE_SIZE);
  __free_page(p);
  if (kAsan) {
    EXPECT_DEATH(addr[100] = 1, "use-after-poison");
  } else {
    unsigned long bad = 0;
    for (unsigned long i = 0; i < PAGE_SIZE; i++) bad += addr[i] != PAGE_POISON;
    EXPECT_EQ(bad, 0u);
  }
}

TEST_F(PageAllocTest, NeverUsedPageIsPoisonedInAsan) {
  if (!kAsan) GTEST_SKIP() << "ASan only";
  page* p = alloc_page(GFP_KERNEL);
  auto* next = static_cast<volatile unsigned char*>(page_address(p)) + PAGE_SIZE;
  __free_page(p);
  EXPECT_DEATH(next[0] = 1, "use-after-poison");
}

TEST_F(PageAllocTest, ContentsArePoisonOrZero) {
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_TRUE(all_bytes(p, PAGE_POISON)) << "fresh page";
  std::memset(page_address(p), 0x77, PAGE_SIZE);
  __free_page(p);
  page* q = alloc_page(GFP_KERNEL | __GFP_ZERO);
  ASSERT_EQ(q, p);
  EXPECT_TRUE(all_bytes(q, 0));
  __free_page(q);
  page* r = alloc_page(GFP_KERNEL);
  ASSERT_EQ(r, p);
  EXPECT_TRUE(all_bytes(r, PAGE_POISON)) << "reused page";
  __free_page(r);
}

TEST_F(PageAllocTest, CorruptedPoisonIsABug) {
  if (kAsan) GTEST_SKIP() << "under ASan the write itself is reported";
  page* p = alloc_page(GFP_KERNEL);
  __free_page(p);
  auto* addr = static_cast<unsigned char*>(page_address(p));
  addr[7] = 0;
  EXPECT_DEATH(alloc_page(GFP_KERNEL), "BUG: page poison corrupted \\(byte 0x7 is 0x00.*pfn:0x10000");
  addr[7] = PAGE_POISON;  // repair, so later tests can use the page
}

TEST_F(PageAllocTest, TheEndOfRunSweepFindsAWriteToAFreePage) {
  if (kAsan) GTEST_SKIP() << "under ASan the write itself is reported";
  page* used = alloc_page(GFP_KERNEL);
  page* p = alloc_page(GFP_KERNEL);
  __free_page(p);
  check_free_pages_poison();  // clean: nothing to report
  auto* addr = static_cast<unsigned char*>(page_address(p));
  addr[100] = 0x5a;
  // No later allocation of the page: only the sweep sees it.
  EXPECT_DEATH(check_free_pages_poison(), "BUG: page poison corrupted \\(byte 0x64 is 0x5a.*pfn:0x10001");
  addr[100] = PAGE_POISON;
  check_free_pages_poison();
  __free_page(used);
}

TEST_F(PageAllocTest, DoubleFreeIsABug) {
  page* p = alloc_page(GFP_KERNEL);
  __free_page(p);
  EXPECT_DEATH(__free_page(p), "BUG: Bad page state: freeing a free page \\(double free\\)");
  EXPECT_DEATH(put_page(p), "Bad page state");
}

TEST_F(PageAllocTest, FreeingLockedPageIsABug) {
  page* p = alloc_page(GFP_KERNEL);
  ASSERT_TRUE(trylock_page(p));
  EXPECT_DEATH(__free_page(p), "Bad page state: PG_locked set when freed.*flags:0x1\\(locked\\)");
  unlock_page(p);
  __free_page(p);
}

TEST_F(PageAllocTest, FreeingStillLinkedPageIsABug) {
  page* p = alloc_page(GFP_KERNEL);
  SetPagePrivate(p);
  EXPECT_DEATH(put_page(p), "Bad page state: PG_private set when freed");
  ClearPagePrivate(p);
  p->private_ = 0x1234;
  EXPECT_DEATH(put_page(p), "Bad page state: page->private set when freed.*private:0x1234");
  p->private_ = 0;
  set_bit(PG_isolated, &p->flags);
  EXPECT_DEATH(put_page(p), "Bad page state: PG_isolated set when freed");
  clear_bit(PG_isolated, &p->flags);
  put_page(p);
}

TEST_F(PageAllocTest, OnlyOrderZero) {
  EXPECT_DEATH(alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 1), "only order-0 pages");
}

TEST_F(PageAllocTest, InvalidPfnIsABug) {
  EXPECT_FALSE(pfn_valid(ARENA_BASE_PFN - 1));
  EXPECT_FALSE(pfn_valid(ARENA_BASE_PFN + DEFAULT_ARENA_PAGES));
  EXPECT_DEATH(pfn_to_page(ARENA_BASE_PFN - 1), "BUG: pfn_to_page of an invalid pfn");
}

TEST_F(PageAllocTest, ResetWithPagesInUseIsABug) {
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_DEATH(page_alloc_reset(), "page_alloc_reset with pages still allocated");
  __free_page(p);
}

TEST_F(PageAllocTest, BlockingAllocationInAtomicContextIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        alloc_page(GFP_KERNEL);
      },
      "sleeping function called from invalid context");
  spin_lock(&lock);
  page* p = alloc_page(GFP_ATOMIC);
  spin_unlock(&lock);
  ASSERT_NE(p, nullptr);
  __free_page(p);
}

TEST_F(PageAllocTest, FaultInjectionFailsNThenRecovers) {
  fault_inject_page_alloc(2);
  EXPECT_EQ(fault_inject_page_alloc_pending(), 2);
  EXPECT_EQ(alloc_page(GFP_KERNEL), nullptr);
  EXPECT_EQ(fault_inject_page_alloc_pending(), 1);
  EXPECT_EQ(alloc_page(GFP_KERNEL), nullptr);
  EXPECT_EQ(fault_inject_page_alloc_pending(), 0);
  EXPECT_EQ(nr_pages_in_use(), 0u);
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_NE(p, nullptr);
  EXPECT_EQ(page_to_pfn(p), ARENA_BASE_PFN) << "failed allocations consume no page";
  __free_page(p);
}

TEST_F(PageAllocTest, FaultInjectionNegativeFailsUntilCleared) {
  fault_inject_page_alloc(-1);
  for (int i = 0; i < 20; i++) EXPECT_EQ(alloc_page(GFP_KERNEL), nullptr);
  fault_inject_page_alloc(0);
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_NE(p, nullptr);
  __free_page(p);
}

TEST_F(PageAllocTest, FaultInjectionAfterSkip) {
  fault_inject_page_alloc_after(2, 1);
  page* a = alloc_page(GFP_KERNEL);
  page* b = alloc_page(GFP_KERNEL);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(alloc_page(GFP_KERNEL), nullptr);
  page* c = alloc_page(GFP_KERNEL);
  EXPECT_NE(c, nullptr);
  for (page* p : {a, b, c}) __free_page(p);
}

TEST_F(PageAllocTest, ArenaExhaustionFailsCleanly) {
  page_arena_init(4);
  page* held[4];
  for (page*& p : held) {
    p = alloc_page(GFP_KERNEL);
    ASSERT_NE(p, nullptr);
  }
  EXPECT_EQ(alloc_page(GFP_KERNEL | __GFP_NOWARN), nullptr);
  EXPECT_EQ(zone_page_state(NR_FREE_PAGES), 0u);
  for (page* p : held) __free_page(p);
  EXPECT_EQ(zone_page_state(NR_FREE_PAGES), 4u);
  page_arena_init(DEFAULT_ARENA_PAGES);
}

TEST_F(PageAllocTest, ZoneStatCounters) {
  page* p = alloc_page(GFP_KERNEL);
  const unsigned long base = zone_page_state(NR_ZSPAGES);
  inc_zone_page_state(p, NR_ZSPAGES);
  inc_zone_page_state(p, NR_ZSPAGES);
  EXPECT_EQ(zone_page_state(NR_ZSPAGES), base + 2);
  dec_zone_page_state(p, NR_ZSPAGES);
  dec_zone_page_state(p, NR_ZSPAGES);
  EXPECT_EQ(zone_page_state(NR_ZSPAGES), base);
  inc_zone_page_state(p, NR_ZSPAGES);
  __free_page(p);
  page_alloc_reset();
  EXPECT_EQ(zone_page_state(NR_ZSPAGES), base + 1) << "NR_ZSPAGES moves only through inc/dec";
  p = alloc_page(GFP_KERNEL);
  dec_zone_page_state(p, NR_ZSPAGES);
  __free_page(p);
  EXPECT_EQ(zone_page_state(NR_ZSPAGES), base);
}

// Counts the "zone_pressure" yield points while delegating to the free-running backend.
std::atomic<int> pressure_points{0};
void counting_yield_point(const char* site, const void* obj) {
  if (std::strcmp(site, "zone_pressure") == 0) pressure_points.fetch_add(1, std::memory_order_relaxed);
}

TEST_F(PageAllocTest, ZonePressureAddsYieldPointsUnderZoneLock) {
  sched_ops counting = free_running_sched_ops();
  counting.yield_point = counting_yield_point;
  set_sched_ops(&counting);
  set_zone_pressure(3);
  EXPECT_EQ(zone_pressure(), 3u);
  pressure_points = 0;
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_EQ(pressure_points.load(), 3);
  __free_page(p);
  EXPECT_EQ(pressure_points.load(), 6);
  set_zone_pressure(0);
  p = alloc_page(GFP_KERNEL);
  __free_page(p);
  EXPECT_EQ(pressure_points.load(), 6);
  set_sched_ops(nullptr);
}

// A virtual-time backend skips the spin, not the preemption points: the
// schedules a program can take are the same.
TEST_F(PageAllocTest, ZonePressureKeepsItsYieldPointsUnderVirtualTime) {
  sched_ops counting = free_running_sched_ops();
  counting.yield_point = counting_yield_point;
  counting.virtual_time = true;
  set_sched_ops(&counting);
  set_zone_pressure(4);
  pressure_points = 0;
  page* p = alloc_page(GFP_KERNEL);
  __free_page(p);
  EXPECT_EQ(pressure_points.load(), 8);
  set_zone_pressure(0);
  set_sched_ops(nullptr);
}

TEST_F(PageAllocTest, ConcurrentAllocFreeUnderPressure) {
  set_zone_pressure(20);
  constexpr int kRounds = 200, kBatch = 8;
  std::atomic<int> failures{0};
  auto worker = [&failures] {
    for (int r = 0; r < kRounds; r++) {
      page* batch[kBatch];
      for (page*& p : batch) {
        p = alloc_page(GFP_KERNEL);
        if (!p) {
          failures++;
          continue;
        }
        // Each page belongs to this thread alone until it is freed.
        std::memset(page_address(p), static_cast<int>(page_to_pfn(p) & 0xff), 64);
      }
      for (page* p : batch) {
        if (!p) continue;
        if (*static_cast<unsigned char*>(page_address(p)) != (page_to_pfn(p) & 0xff)) failures++;
        __free_page(p);
      }
    }
  };
  {
    kthread t0(worker), t1(worker), t2(worker), t3(worker);
  }
  set_zone_pressure(0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(nr_pages_in_use(), 0u);
  EXPECT_EQ(zone_page_state(NR_FREE_PAGES), DEFAULT_ARENA_PAGES);
}

}  // namespace
