// The path probes (allocator/zsmalloc/zs_path.h): each family's counter
// moves on one crafted scenario, on the variants whose code has the path,
// and stays 0 on the others (zs_path_applies). `zsfuzz coverage` reads the
// same counters over the corpus (tests/fuzzers/tool/coverage_cli_test.cc).
#include <gtest/gtest.h>

#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_path.h"
#include "kernel/kernel.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

constexpr size_t kSpanSize = kSpan.request;  // 5 pages, 13 objects on 4 KiB pages
constexpr size_t kHugeSize = kHugeRequest;   // a huge class: one object, one page

class PathProbeTest : public PoolTest {
 protected:
  void SetUp() override {
    PoolTest::SetUp();
    v_->introspect->path_hits_reset();
  }
  unsigned long Hits(zs_path p) { return v_->introspect->path_hits(p); }
  bool Applies(zs_path p) { return zs_path_applies(p, v_->traits); }
  // Hits of `p` as the variant's code allows: `n` if it has the path, else 0.
  unsigned long Want(zs_path p, unsigned long n) { return Applies(p) ? n : 0; }
};

TEST_P(PathProbeTest, AllocationFailures) {
  kernel::fault_inject_slab_alloc(1);
  EXPECT_EQ(v_->malloc(pool_, 100, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE), kernel::ERR_VALUE(-ENOMEM));
  EXPECT_EQ(Hits(ZS_PATH_MALLOC_HANDLE_FAIL), 1u);
  kernel::fault_inject_slab_alloc_after(1, 1);  // the handle, then the zspage
  EXPECT_EQ(v_->malloc(pool_, 100, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE), kernel::ERR_VALUE(-ENOMEM));
  EXPECT_EQ(Hits(ZS_PATH_ALLOC_ZSPAGE_STRUCT_FAIL), 1u);
  kernel::fault_inject_page_alloc(1);
  EXPECT_EQ(v_->malloc(pool_, kSpanSize, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE),
            kernel::ERR_VALUE(-ENOMEM));
  EXPECT_EQ(Hits(ZS_PATH_ALLOC_ZSPAGE_FIRST_PAGE_FAIL), 1u);
  kernel::fault_inject_page_alloc_after(2, 1);  // the third of five pages
  EXPECT_EQ(v_->malloc(pool_, kSpanSize, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE),
            kernel::ERR_VALUE(-ENOMEM));
  EXPECT_EQ(Hits(ZS_PATH_ALLOC_ZSPAGE_LATER_PAGE_FAIL), 1u);
  EXPECT_EQ(Hits(ZS_PATH_MALLOC_HANDLE_FAIL), 1u) << "each failure counts once, on its own path";
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
}

TEST_P(PathProbeTest, FreeOfTheLastObjectFreesTheZspage) {
  Free(Malloc(100));
  EXPECT_EQ(Hits(ZS_PATH_ZS_FREE_TRYLOCK_OK), Want(ZS_PATH_ZS_FREE_TRYLOCK_OK, 1));
  EXPECT_EQ(Hits(ZS_PATH_ZS_FREE_FREE_ZSPAGE_OK), Want(ZS_PATH_ZS_FREE_FREE_ZSPAGE_OK, 1));
  EXPECT_EQ(Hits(ZS_PATH_KICK_DEFERRED_FREE), 0u);
  EXPECT_EQ(Hits(ZS_PATH_COMPACT_FREED), 0u) << "zs_free's free_zspage() is not compaction's";
}

TEST_P(PathProbeTest, BusyPageLockDefersTheFree) {
  const unsigned long h = Malloc(kSpanSize);
  kernel::page* held = v_->introspect->zspage_page(pool_, h, 1);
  ASSERT_TRUE(kernel::trylock_page(held));
  Free(h);
  EXPECT_EQ(Hits(ZS_PATH_ZS_FREE_TRYLOCK_FAIL), Want(ZS_PATH_ZS_FREE_TRYLOCK_FAIL, 1));
  EXPECT_EQ(Hits(ZS_PATH_ZS_FREE_FREE_ZSPAGE_DEFERRED), Want(ZS_PATH_ZS_FREE_FREE_ZSPAGE_DEFERRED, 1));
  EXPECT_EQ(Hits(ZS_PATH_KICK_DEFERRED_FREE), 1u);
  kernel::unlock_page(held);
  v_->flush_deferred(pool_);
  EXPECT_GE(Hits(ZS_PATH_ASYNC_FREE_RUN), 1u);
  EXPECT_EQ(Hits(ZS_PATH_ASYNC_FREE_FREED), 1u);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
}

TEST_P(PathProbeTest, MigrationOfEachPageKind) {
  std::vector<unsigned long> hs;
  for (int k = 0; k < ClassOf(kSpanSize).objs_per_zspage; k++) hs.push_back(Malloc(kSpanSize));
  const unsigned long huge = Malloc(kHugeSize);
  ASSERT_TRUE(Where(huge).huge);
  const struct {
    unsigned long handle;
    unsigned int page;
    zs_path path;
  } cases[] = {{hs[0], 0, ZS_PATH_MIGRATE_FIRST_PAGE},
               {hs[0], 2, ZS_PATH_MIGRATE_MIDDLE_PAGE},
               {hs[0], 4, ZS_PATH_MIGRATE_LAST_PAGE},
               {huge, 0, ZS_PATH_MIGRATE_HUGE_PAGE}};
  for (const auto& c : cases) {
    SCOPED_TRACE(zs_path_table[c.path].name);
    kernel::page* p = v_->introspect->zspage_page(pool_, c.handle, c.page);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(kernel::migrate_one_page(p, kernel::MIGRATE_SYNC, nullptr), 0);
    EXPECT_EQ(Hits(c.path), 1u);
  }
  EXPECT_EQ(Hits(ZS_PATH_MIGRATE_BUSY), 0u);
  for (unsigned long h : hs) Free(h);
  Free(huge);
}

// Compaction empties src zspages of a 1-page class: free_zspage() frees
// them, or, with a page lock held elsewhere, leaves them to the worker.
TEST_P(PathProbeTest, CompactionFreesOrDefersItsSource) {
  for (bool hold : {false, true}) {
    SCOPED_TRACE(hold ? "page locks held" : "no page lock held");
    v_->introspect->path_hits_reset();
    std::vector<unsigned long> all, live;
    constexpr int kObjs = kTinyObjsPerZspage;                       // 128 on 4 KiB pages
    for (int k = 0; k < 4 * kObjs; k++) all.push_back(Malloc(24));  // 4 zspages of kObjs objects
    for (int k = 0; k < 4 * kObjs; k++) (k % 4 == 0 ? live.push_back(all[k]) : Free(all[k]));
    std::vector<kernel::page*> held;
    for (int z = 0; hold && z < 4; z++)
      held.push_back(v_->introspect->zspage_page(pool_, live[kObjs / 4 * z], 0));
    for (kernel::page* p : held) ASSERT_TRUE(kernel::trylock_page(p));
    EXPECT_EQ(v_->compact(pool_), 3u);
    EXPECT_EQ(Hits(ZS_PATH_COMPACT_FREED), hold ? 0u : 3u);
    EXPECT_EQ(Hits(ZS_PATH_COMPACT_DEFERRED), hold ? 3u : 0u);
    EXPECT_EQ(Hits(ZS_PATH_ZS_FREE_FREE_ZSPAGE_OK) + Hits(ZS_PATH_ZS_FREE_FREE_ZSPAGE_DEFERRED), 0u)
        << "compaction's free_zspage() is not zs_free's";
    for (kernel::page* p : held) kernel::unlock_page(p);
    v_->flush_deferred(pool_);
    for (unsigned long h : live) Free(h);
  }
}

// Single-threaded, the handle cannot change between the lockless read and
// the re-read: the probe stays silent (the corpus's concurrent seeds make it
// move, tests/fuzzers/tool/coverage_cli_test.cc).
TEST_P(PathProbeTest, LocklessRereadSilentWithoutARace) {
  for (int k = 0; k < 64; k++) Free(Malloc(100 + k));
  EXPECT_EQ(Hits(ZS_PATH_LOCKLESS_REREAD_PFN_CHANGED), 0u);
  EXPECT_EQ(Hits(ZS_PATH_LOCKLESS_REREAD_INDEX_CHANGED), 0u);
}

TEST_P(PathProbeTest, ResetClearsEveryCounter) {
  Free(Malloc(100));
  v_->introspect->path_hits_reset();
  for (int p = 0; p < ZS_PATH_COUNT; p++)
    EXPECT_EQ(v_->introspect->path_hits(p), 0u) << zs_path_table[p].name;
  EXPECT_EQ(v_->introspect->path_hits(ZS_PATH_COUNT), 0u) << "out of range reads 0";
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(PathProbeTest);

}  // namespace
}  // namespace zsfuzz_test
