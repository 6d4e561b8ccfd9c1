// lock_stat (CONFIG_LOCK_STAT's counters): off by default, one acquisition
// per lock taken, a contention and its wait when a lock had to be waited for.
// Spinlock contention on the deterministic scheduler is in
// tests/fuzzers/tool/virtual_time_test.cc.
#include "kernel/lock_stat.h"

#include <algorithm>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::kthread;

class LockStatTest : public kernel_test::KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    lock_stat_clear();
  }
  void TearDown() override {
    lock_stat_enable(false);
    KernelTest::TearDown();
  }
};

lock_stat_entry Entry(const char* name) {
  const std::vector<lock_stat_entry> all = lock_stat_read();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const lock_stat_entry& e) { return e.name == name; });
  return it == all.end() ? lock_stat_entry{} : *it;
}

void ExpectCounts(const char* name, unsigned long acquisitions, unsigned long contentions) {
  const lock_stat_entry e = Entry(name);
  EXPECT_EQ(e.acquisitions, acquisitions) << name;
  EXPECT_EQ(e.contentions, contentions) << name;
  if (contentions == 0) EXPECT_EQ(e.waittime_total_ns, 0u) << name;
  if (contentions != 0) EXPECT_GT(e.waittime_total_ns, 0u) << name;
}

TEST_F(LockStatTest, OffByDefaultCountsNothing) {
  static lock_class_key key;
  spinlock_t lock;
  __spin_lock_init(&lock, "stat_off_lock", &key);
  ASSERT_FALSE(lock_stat_enabled());
  spin_lock(&lock);
  spin_unlock(&lock);
  EXPECT_EQ(Entry("stat_off_lock").acquisitions, 0u);
}

TEST_F(LockStatTest, EveryAcquisitionCountsAFailedTrylockDoesNot) {
  static lock_class_key spin_key, rw_key;
  spinlock_t lock;
  rwlock_t rw;
  __spin_lock_init(&lock, "stat_spin_lock", &spin_key);
  __rwlock_init(&rw, "stat_rw_lock", &rw_key);
  lock_stat_enable(true);
  for (int i = 0; i < 3; i++) {
    spin_lock(&lock);
    spin_unlock(&lock);
  }
  ASSERT_TRUE(spin_trylock(&lock));
  {
    kthread t([&] { EXPECT_FALSE(spin_trylock(&lock)); });
  }
  spin_unlock(&lock);
  read_lock(&rw);
  read_unlock(&rw);
  write_lock(&rw);
  write_unlock(&rw);
  lock_stat_enable(false);
  ExpectCounts("stat_spin_lock", 4, 0);
  ExpectCounts("stat_rw_lock", 2, 0);
}

TEST_F(LockStatTest, AWaitedForLockIsAContentionWithItsWait) {
  static lock_class_key key;
  rwlock_t rw;
  __rwlock_init(&rw, "stat_contended_rw", &key);
  lock_stat_enable(true);
  write_lock(&rw);
  {
    kthread reader([&] {
      read_lock(&rw);
      read_unlock(&rw);
    });
    // The reader is queued on the lock (rwlock_is_contended) before it is released.
    ASSERT_TRUE(eventually([&] { return rwlock_is_contended(&rw); }));
    write_unlock(&rw);
  }
  lock_stat_enable(false);
  ExpectCounts("stat_contended_rw", 2, 1);

  lock_stat_clear();
  EXPECT_EQ(Entry("stat_contended_rw").acquisitions, 0u);
}

}  // namespace
