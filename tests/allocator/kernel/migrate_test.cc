// The migration core with fake movable_operations: isolate/migrate/putback, failures, locks and references.
#include <atomic>
#include <cstring>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::kthread;
using kernel_test::settle;

// A fake owner in zsmalloc's style: page->private_ names the owner while it
// owns the page; migrate moves contents, ownership and the owner's reference.
constexpr unsigned long kOwner = 0x5eed;

struct fake_owner {
  std::atomic<bool> isolate_ok{true};
  std::atomic<int> migrate_rc{0};
  std::atomic<int> isolate_calls{0}, migrate_calls{0}, putback_calls{0};
  std::atomic<int> unlocked_calls{0};  // callbacks that ran without the page lock
};
fake_owner owner;

bool fake_isolate(page* p, isolate_mode_t) {
  owner.isolate_calls++;
  if (!PageLocked(p)) owner.unlocked_calls++;
  return owner.isolate_ok;
}

int fake_migrate(page* dst, page* src, migrate_mode) {
  owner.migrate_calls++;
  if (!PageLocked(src) || !PageLocked(dst)) owner.unlocked_calls++;
  if (owner.migrate_rc != 0) return owner.migrate_rc;
  if (src->private_ == 0) return 0;  // the owner let go of the page while it was isolated
  std::memcpy(page_address(dst), page_address(src), PAGE_SIZE);
  get_page(dst);
  dst->private_ = src->private_;
  __SetPageMovable(dst, page_movable_ops(src));
  src->private_ = 0;
  put_page(src);  // the owner's reference
  return 0;
}

void fake_putback(page* p) {
  owner.putback_calls++;
  if (!PageLocked(p)) owner.unlocked_calls++;
}

const movable_operations fake_mops = {fake_isolate, fake_migrate, fake_putback};

class MigrationCoreTest : public kernel_test::KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    owner.isolate_ok = true;
    owner.migrate_rc = 0;
    owner.isolate_calls = owner.migrate_calls = owner.putback_calls = owner.unlocked_calls = 0;
    p_ = alloc_page(GFP_KERNEL);
    ASSERT_NE(p_, nullptr);
    p_->private_ = kOwner;
    __SetPageMovable(p_, &fake_mops);
    std::memset(page_address(p_), 0xc3, PAGE_SIZE);
  }
  void TearDown() override {
    EXPECT_EQ(owner.unlocked_calls.load(), 0) << "a movable_operations callback ran without the page lock";
    KernelTest::TearDown();
  }
  // The owner frees its page (reset first, as zsmalloc's reset_zpdesc does).
  static void owner_free(page* p) {
    p->private_ = 0;
    put_page(p);
  }
  page* p_ = nullptr;
};

TEST_F(MigrationCoreTest, IsolateThenMigrateMovesThePage) {
  const unsigned long baseline = nr_pages_in_use();
  ASSERT_TRUE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_TRUE(PageIsolated(p_));
  EXPECT_FALSE(PageLocked(p_)) << "isolation drops the page lock";
  EXPECT_EQ(page_ref_count(p_), 2) << "isolation keeps a reference";
  EXPECT_EQ(owner.isolate_calls.load(), 1);

  page* newp = nullptr;
  ASSERT_EQ(migrate_movable_ops_page(p_, MIGRATE_SYNC, &newp), 0);
  ASSERT_NE(newp, nullptr);
  EXPECT_NE(newp, p_);
  EXPECT_EQ(owner.migrate_calls.load(), 1);
  EXPECT_TRUE(PageBuddy(p_)) << "the old page went back to the allocator";
  EXPECT_EQ(nr_pages_in_use(), baseline) << "old page freed, new page kept";
  EXPECT_EQ(page_ref_count(newp), 1) << "only the owner's reference remains";
  EXPECT_FALSE(PageLocked(newp));
  EXPECT_FALSE(PageIsolated(newp));
  EXPECT_EQ(newp->private_, kOwner);
  EXPECT_EQ(static_cast<unsigned char*>(page_address(newp))[123], 0xc3);
  owner_free(newp);
}

TEST_F(MigrationCoreTest, MigrateFailureThenPutback) {
  const unsigned long baseline = nr_pages_in_use();
  ASSERT_TRUE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  owner.migrate_rc = -EAGAIN;
  page* newp = reinterpret_cast<page*>(0x1);
  EXPECT_EQ(migrate_movable_ops_page(p_, MIGRATE_SYNC, &newp), -EAGAIN);
  EXPECT_EQ(newp, nullptr);
  EXPECT_TRUE(PageIsolated(p_)) << "stays isolated for the caller to put back";
  EXPECT_FALSE(PageLocked(p_));
  EXPECT_EQ(page_ref_count(p_), 2);
  EXPECT_EQ(nr_pages_in_use(), baseline) << "the unused new page was freed";

  putback_movable_ops_page(p_);
  EXPECT_EQ(owner.putback_calls.load(), 1);
  EXPECT_FALSE(PageIsolated(p_));
  EXPECT_FALSE(PageLocked(p_));
  EXPECT_EQ(page_ref_count(p_), 1);
  owner_free(p_);
}

TEST_F(MigrationCoreTest, IsolatingAFreePageFails) {
  owner_free(p_);
  ASSERT_TRUE(PageBuddy(p_));
  EXPECT_FALSE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_EQ(page_ref_count(p_), 0);
  EXPECT_TRUE(PageBuddy(p_));
  EXPECT_EQ(owner.isolate_calls.load(), 0);
}

TEST_F(MigrationCoreTest, IsolatingALockedPageFails) {
  lock_page(p_);
  EXPECT_FALSE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_EQ(page_ref_count(p_), 1) << "the isolation reference was dropped";
  EXPECT_FALSE(PageIsolated(p_));
  EXPECT_EQ(owner.isolate_calls.load(), 0);
  EXPECT_EQ(migrate_one_page(p_, MIGRATE_SYNC, nullptr), -EBUSY);
  unlock_page(p_);
  owner_free(p_);
}

TEST_F(MigrationCoreTest, IsolationRefusedOrNotMovable) {
  owner.isolate_ok = false;
  EXPECT_FALSE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_EQ(owner.isolate_calls.load(), 1);
  EXPECT_EQ(page_ref_count(p_), 1);
  EXPECT_FALSE(PageLocked(p_));
  EXPECT_FALSE(PageIsolated(p_));

  page* plain = alloc_page(GFP_KERNEL);
  EXPECT_FALSE(isolate_movable_ops_page(plain, ISOLATE_MODE_NONE));
  EXPECT_EQ(page_ref_count(plain), 1);
  __free_page(plain);
  owner_free(p_);
}

TEST_F(MigrationCoreTest, IsolatingTwiceFails) {
  ASSERT_TRUE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_FALSE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  EXPECT_EQ(page_ref_count(p_), 2);
  putback_movable_ops_page(p_);
  owner_free(p_);
}

TEST_F(MigrationCoreTest, NoNewPageIsEnomem) {
  fault_inject_page_alloc(1);
  page* newp = nullptr;
  EXPECT_EQ(migrate_one_page(p_, MIGRATE_SYNC, &newp), -ENOMEM);
  EXPECT_EQ(newp, nullptr);
  EXPECT_EQ(owner.putback_calls.load(), 1) << "migrate_one_page puts the page back";
  EXPECT_FALSE(PageIsolated(p_));
  EXPECT_EQ(page_ref_count(p_), 1);
  owner_free(p_);
}

TEST_F(MigrationCoreTest, OwnerFreedThePageWhileIsolated) {
  ASSERT_TRUE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  owner_free(p_);
  EXPECT_FALSE(PageBuddy(p_)) << "the isolation reference keeps it";
  EXPECT_EQ(nr_pages_in_use(), 1u);
  page* newp = reinterpret_cast<page*>(0x1);
  EXPECT_EQ(migrate_movable_ops_page(p_, MIGRATE_SYNC, &newp), 0);
  EXPECT_EQ(newp, nullptr) << "nothing was moved, so no new page is kept";
  EXPECT_EQ(nr_pages_in_use(), 0u);
  EXPECT_TRUE(PageBuddy(p_));
}

TEST_F(MigrationCoreTest, MigrateWaitsForThePageLock) {
  ASSERT_TRUE(isolate_movable_ops_page(p_, ISOLATE_MODE_NONE));
  lock_page(p_);
  std::atomic<bool> started{false}, done{false};
  std::atomic<page*> moved{nullptr};
  kthread t(
      [&] {
        started = true;
        page* newp = nullptr;
        EXPECT_EQ(migrate_movable_ops_page(p_, MIGRATE_SYNC, &newp), 0);
        moved = newp;
        done = true;
      },
      "kcompactd0");
  EXPECT_TRUE(eventually([&] { return started.load(); }));
  settle();
  EXPECT_FALSE(done.load()) << "migration ran without the page lock";
  EXPECT_EQ(owner.migrate_calls.load(), 0);
  unlock_page(p_);
  t.join();
  ASSERT_TRUE(done.load());
  ASSERT_NE(moved.load(), nullptr);
  owner_free(moved.load());
}

TEST_F(MigrationCoreTest, MigrateOnePageSuccess) {
  page* newp = nullptr;
  ASSERT_EQ(migrate_one_page(p_, MIGRATE_ASYNC, &newp), 0);
  ASSERT_NE(newp, nullptr);
  EXPECT_EQ(owner.putback_calls.load(), 0);
  EXPECT_EQ(nr_pages_in_use(), 1u);
  owner_free(newp);
}

TEST_F(MigrationCoreTest, MigratingAPageThatIsNotIsolatedIsABug) {
  EXPECT_DEATH(migrate_movable_ops_page(p_, MIGRATE_SYNC, nullptr), "BUG: !PageIsolated\\(p\\)");
  EXPECT_DEATH(putback_movable_ops_page(p_), "BUG: !PageIsolated\\(p\\)");
  owner_free(p_);
}

}  // namespace
