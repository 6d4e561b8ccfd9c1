// Page migration through the simulated migration core (reference 3, Page
// migration): contents survive moving the first, a middle, the last and a
// huge page; zs_free under a held page lock takes the deferred path; a page
// freed while isolated is let go; a busy zspage refuses migration.
#include <gtest/gtest.h>

#include "allocator/zsmalloc/zs_introspect.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

constexpr size_t kSpanSize = kSpan.request;  // 5 pages, 13 objects on 4 KiB pages

class MigrateTest : public PoolTest {
 protected:
  std::vector<unsigned long> FillOneZspage(size_t size) {
    std::vector<unsigned long> hs;
    for (int k = 0; k < ClassOf(size).objs_per_zspage; k++) {
      const unsigned long h = Malloc(size);
      EXPECT_FALSE(kernel::IS_ERR_VALUE(h));
      Write(h, size, k);
      hs.push_back(h);
    }
    return hs;
  }
};

TEST_P(MigrateTest, FirstMiddleAndLastPagesKeepContents) {
  const std::vector<unsigned long> hs = FillOneZspage(kSpanSize);
  // The oracle's probe (kernel/sched.h): the old page migration resets is not released.
  const unsigned long released = kernel::get_current()->pages_released;
  for (unsigned int n : {0u, 2u, 4u}) {
    SCOPED_TRACE(testing::Message() << "page " << n);
    kernel::page* old_page = v_->introspect->zspage_page(pool_, hs[0], n);
    ASSERT_NE(old_page, nullptr);
    const unsigned long old_pfn = kernel::page_to_pfn(old_page);
    const unsigned long in_use = kernel::nr_pages_in_use();
    kernel::page* new_page = nullptr;
    ASSERT_EQ(kernel::migrate_one_page(old_page, kernel::MIGRATE_SYNC, &new_page), 0);
    ASSERT_NE(new_page, nullptr);
    EXPECT_EQ(v_->introspect->zspage_page(pool_, hs[0], n), new_page);
    EXPECT_NE(kernel::page_to_pfn(new_page), old_pfn);
    EXPECT_EQ(kernel::nr_pages_in_use(), in_use) << "old page freed, new one kept";
    EXPECT_FALSE(kernel::PageLocked(new_page));
    for (size_t k = 0; k < hs.size(); k++) {
      ASSERT_TRUE(Verify(hs[k], kSpanSize, k));
      EXPECT_NE(Where(hs[k]).pfn, old_pfn) << "no handle may point at the old page";
    }
  }
  EXPECT_EQ(v_->introspect->zspage_page(pool_, hs[0], 5), nullptr);
  EXPECT_EQ(kernel::get_current()->pages_released, released) << "migration released nothing";
  for (unsigned long h : hs) Free(h);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  EXPECT_EQ(kernel::get_current()->pages_released, released + 5) << "the free released the zspage's 5 pages";
  zs_class_info c = ClassOf(kSpanSize);
  EXPECT_EQ(c.stats[12], 0u);
}

TEST_P(MigrateTest, HugePageKeepsContents) {
  const size_t size = kHugeRequest;
  const unsigned long h = Malloc(size);
  ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
  Write(h, size, 7);
  ASSERT_TRUE(Where(h).huge);
  kernel::page* old_page = v_->introspect->zspage_page(pool_, h, 0);
  const unsigned long old_pfn = kernel::page_to_pfn(old_page);
  kernel::page* new_page = nullptr;
  ASSERT_EQ(kernel::migrate_one_page(old_page, kernel::MIGRATE_SYNC, &new_page), 0);
  EXPECT_EQ(Where(h).pfn, kernel::page_to_pfn(new_page));
  EXPECT_NE(Where(h).pfn, old_pfn);
  EXPECT_TRUE(Verify(h, size, 7));
  Free(h);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
}

// While the migration core holds the lock of one page of a zspage, the free
// that empties it cannot trylock every page: the zspage stays on the RATIO_0
// list and the deferred worker frees it once the page is unlocked.
TEST_P(MigrateTest, FreeUnderHeldPageLockTakesDeferredPath) {
  const std::vector<unsigned long> hs = FillOneZspage(kSpanSize);
  const zs_class_info c = ClassOf(kSpanSize);
  kernel::page* held = v_->introspect->zspage_page(pool_, hs[0], 1);
  kernel::lock_page(held);
  const unsigned long released = kernel::get_current()->pages_released;
  for (unsigned long h : hs) Free(h);
  EXPECT_EQ(kernel::get_current()->pages_released, released + 5) << "left to the deferred free: released";
  zs_class_info mid{};
  ASSERT_TRUE(v_->introspect->class_info(pool_, c.index, &mid));
  EXPECT_EQ(v_->get_total_pages(pool_), 5u) << "not freed synchronously";
  EXPECT_EQ(mid.stats[0], 1u) << "left on RATIO_0";
  EXPECT_EQ(mid.stats[12], static_cast<unsigned long>(kSpan.objs))
      << "obj_allocated unchanged until the zspage goes";
  EXPECT_EQ(mid.stats[13], 0u);
  kernel::unlock_page(held);
  v_->flush_deferred(pool_);
  EXPECT_EQ(kernel::get_current()->pages_released, released + 5) << "the worker's free is the worker's";
  zs_class_info after{};
  ASSERT_TRUE(v_->introspect->class_info(pool_, c.index, &after));
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  EXPECT_EQ(after.stats[0], 0u);
  EXPECT_EQ(after.stats[12], 0u);
}

// Isolation drops the page lock, so a free can empty and free the zspage
// while the page is isolated; migration then finds no zspage and lets it go.
TEST_P(MigrateTest, ZspageFreedWhilePageIsolated) {
  const std::vector<unsigned long> hs = FillOneZspage(kSpanSize);
  kernel::page* p = v_->introspect->zspage_page(pool_, hs[0], 3);
  ASSERT_TRUE(kernel::isolate_movable_ops_page(p, kernel::ISOLATE_MODE_NONE));
  for (unsigned long h : hs) Free(h);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  EXPECT_EQ(p->private_, 0u) << "reset_zpdesc detached the page";
  EXPECT_EQ(kernel::migrate_movable_ops_page(p, kernel::MIGRATE_SYNC, nullptr), 0);
}

// A reader holds the zspage lock for reading: migration's write trylock fails,
// the page is put back, and the object stays where it was.
TEST_P(MigrateTest, ReaderBlocksMigrationAndPutbackRestores) {
  const std::vector<unsigned long> hs = FillOneZspage(kSpanSize);
  kernel::page* p = v_->introspect->zspage_page(pool_, hs[0], 0);
  const unsigned long pfn = kernel::page_to_pfn(p);
  std::vector<uint8_t> local(kSpanSize);
  void* mem = v_->obj_read_begin(pool_, hs[0], kSpanSize, local.data());
  // The migration core is another task: the reader must not take page locks
  // while it holds the zspage lock (lockdep would rightly call that an inversion).
  struct Migration {
    kernel::page* p;
    bool isolated = false;
    int rc = 0;
    bool still_isolated = false;
  } m{p};
  kernel::task_struct* t = kernel::kthread_run(
      [](void* arg) {
        auto* m = static_cast<Migration*>(arg);
        m->isolated = kernel::isolate_movable_ops_page(m->p, kernel::ISOLATE_MODE_NONE);
        if (!m->isolated) return;
        m->rc = kernel::migrate_movable_ops_page(m->p, kernel::MIGRATE_SYNC, nullptr);
        m->still_isolated = kernel::PageIsolated(m->p);
        kernel::putback_movable_ops_page(m->p);
      },
      &m, "migration");
  kernel::kthread_stop(t);
  ASSERT_TRUE(m.isolated);
  EXPECT_TRUE(m.rc == -EINVAL || m.rc == -EBUSY) << m.rc;
  EXPECT_TRUE(m.still_isolated);
  EXPECT_FALSE(kernel::PageIsolated(p));
  EXPECT_FALSE(kernel::PageLocked(p));
  v_->obj_read_end(pool_, hs[0], kSpanSize, mem);
  EXPECT_EQ(Where(hs[0]).pfn, pfn);
  for (size_t k = 0; k < hs.size(); k++) EXPECT_TRUE(Verify(hs[k], kSpanSize, k));
  for (unsigned long h : hs) Free(h);
}

// A page that is free, or not a zsmalloc page, cannot be isolated.
TEST_P(MigrateTest, IsolationRefusesDetachedPages) {
  const unsigned long h = Malloc(100);
  kernel::page* p = v_->introspect->zspage_page(pool_, h, 0);
  Free(h);
  EXPECT_FALSE(kernel::isolate_movable_ops_page(p, kernel::ISOLATE_MODE_NONE));
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(MigrateTest);

}  // namespace
}  // namespace zsfuzz_test
