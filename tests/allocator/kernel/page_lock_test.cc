// The page lock and page references: trylock/lock/unlock across kernel threads, waiting, refcounts, movable
// marking.
#include <atomic>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::kthread;
using kernel_test::settle;

class PageLockTest : public kernel_test::KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    p_ = alloc_page(GFP_KERNEL);
    ASSERT_NE(p_, nullptr);
  }
  void TearDown() override {
    if (p_) __free_page(p_);
    KernelTest::TearDown();
  }
  page* p_ = nullptr;
};

TEST_F(PageLockTest, TrylockExcludesTrylock) {
  EXPECT_TRUE(trylock_page(p_));
  EXPECT_TRUE(PageLocked(p_));
  EXPECT_FALSE(trylock_page(p_));
  unlock_page(p_);
  EXPECT_FALSE(PageLocked(p_));
  EXPECT_TRUE(trylock_page(p_));
  unlock_page(p_);
}

TEST_F(PageLockTest, PageLockIsTrackedByLockdep) {
  lock_page(p_);
  EXPECT_EQ(get_current()->held.depth, 1);
  EXPECT_STREQ(get_current()->held.stack[0].map->name, "page_lock");
  EXPECT_EQ(get_current()->held.stack[0].instance, p_);
  EXPECT_FALSE(in_atomic()) << "the page lock is a sleeping lock";
  unlock_page(p_);
  EXPECT_EQ(get_current()->held.depth, 0);
}

TEST_F(PageLockTest, LockPageWaitsForTheHolder) {
  lock_page(p_);
  std::atomic<bool> trylock_failed{false}, acquired{false};
  kthread t([&] {
    trylock_failed = !trylock_page(p_);
    lock_page(p_);
    acquired = true;
    unlock_page(p_);
  });
  EXPECT_TRUE(eventually([&] { return trylock_failed.load(); }));
  settle();
  EXPECT_FALSE(acquired.load()) << "lock_page returned while another task held the lock";
  unlock_page(p_);
  t.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_FALSE(PageLocked(p_));
}

TEST_F(PageLockTest, LockHandsOverBetweenTwoKthreads) {
  // Two kernel threads take turns; a plain counter is protected by the page lock alone.
  long counter = 0;
  auto worker = [&] {
    for (int i = 0; i < 2000; i++) {
      lock_page(p_);
      counter++;
      unlock_page(p_);
    }
  };
  {
    kthread a(worker, "locker-a"), b(worker, "locker-b");
  }
  EXPECT_EQ(counter, 4000);
}

TEST_F(PageLockTest, WaitOnPageLockedReturnsAfterUnlock) {
  ASSERT_TRUE(trylock_page(p_));
  std::atomic<bool> started{false}, done{false};
  kthread t([&] {
    started = true;
    wait_on_page_locked(p_);
    done = true;
  });
  EXPECT_TRUE(eventually([&] { return started.load(); }));
  settle();
  EXPECT_FALSE(done.load());
  unlock_page(p_);
  t.join();
  EXPECT_TRUE(done.load());
  EXPECT_FALSE(PageLocked(p_)) << "waiting does not take the lock";
}

TEST_F(PageLockTest, UnlockOfUnlockedPageIsABug) {
  EXPECT_DEATH(unlock_page(p_), "BUG: unlock_page of an unlocked page");
}

TEST_F(PageLockTest, UnlockingAnotherTasksPageLockIsABug) {
  EXPECT_DEATH(
      {
        lock_page(p_);
        kthread t([&] { unlock_page(p_); });
        t.join();
      },
      "BUG: releasing a lock that is not held.*lock: page_lock");
}

TEST_F(PageLockTest, LockPageInAtomicContextIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        lock_page(p_);
      },
      "BUG: sleeping function called from invalid context.*&lock");
}

TEST_F(PageLockTest, LockingAFreePageIsABug) {
  __free_page(p_);
  page* freed = p_;
  p_ = nullptr;
  EXPECT_DEATH(trylock_page(freed), "BUG: trylock_page on a free page");
  EXPECT_DEATH(lock_page(freed), "BUG: lock_page on a free page");
}

TEST_F(PageLockTest, References) {
  get_page(p_);
  EXPECT_EQ(page_ref_count(p_), 2);
  EXPECT_TRUE(get_page_unless_zero(p_));
  EXPECT_EQ(page_ref_count(p_), 3);
  put_page(p_);
  put_page(p_);
  EXPECT_EQ(page_ref_count(p_), 1);
  EXPECT_EQ(nr_pages_in_use(), 1u);
  put_page(p_);
  EXPECT_EQ(nr_pages_in_use(), 0u) << "the last put frees the page";
  EXPECT_TRUE(PageBuddy(p_));
  EXPECT_FALSE(get_page_unless_zero(p_)) << "no new reference on a free page";
  EXPECT_EQ(page_ref_count(p_), 0);
  EXPECT_DEATH(get_page(p_), "BUG: get_page on a page with no references");
  p_ = nullptr;
}

TEST_F(PageLockTest, MovableOps) {
  static const movable_operations mops = {};
  EXPECT_FALSE(PageMovable(p_));
  EXPECT_EQ(page_movable_ops(p_), nullptr);
  __SetPageMovable(p_, &mops);
  EXPECT_TRUE(PageMovable(p_));
  EXPECT_EQ(page_movable_ops(p_), &mops);
}

TEST_F(PageLockTest, PageTypeIsStickyUntilFreed) {
  __SetPageZsmalloc(p_);
  p_->page_type |= 0x123;
  EXPECT_TRUE(PageZsmalloc(p_));
  EXPECT_EQ(p_->page_type & 0xffffffu, 0x123u);
  __free_page(p_);
  EXPECT_FALSE(PageZsmalloc(p_));
  p_ = alloc_page(GFP_KERNEL);
  EXPECT_FALSE(PageZsmalloc(p_));
}

}  // namespace
