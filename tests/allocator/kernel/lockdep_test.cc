// lockdep-lite: inversions reported once with both names, trylocks exempt, recursion, held-lock bookkeeping,
// might_sleep.
#include <string>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::kthread;

class LockdepTest : public kernel_test::KernelTest {};

using kernel_test::lock_in_order;
using kernel_test::two_classes;

TEST_F(LockdepTest, InversionIsReportedOnceWithBothNames) {
  two_classes l;
  {
    kthread t([&] { lock_in_order(&l.lock_a, &l.lock_b); }, "order-ab");
  }
  EXPECT_EQ(lockdep_report_count(), 0u);
  {
    kthread t([&] { lock_in_order(&l.lock_b, &l.lock_a); }, "order-ba");
  }
  EXPECT_EQ(lockdep_report_count(), 1u);
  const std::string report = lockdep_first_report();
  EXPECT_NE(report.find("possible circular locking dependency detected"), std::string::npos) << report;
  EXPECT_NE(report.find("&lock_a"), std::string::npos) << report;
  EXPECT_NE(report.find("&lock_b"), std::string::npos) << report;
  EXPECT_NE(report.find("order-ba"), std::string::npos) << "names the task" << report;
  // The same inversion again is not a new report.
  lock_in_order(&l.lock_b, &l.lock_a);
  EXPECT_EQ(lockdep_report_count(), 1u);
  lockdep_reset();
  EXPECT_EQ(lockdep_report_count(), 0u);
  EXPECT_STREQ(lockdep_first_report(), "");
}

TEST_F(LockdepTest, TrylockInversionIsNotReported) {
  two_classes l;
  lock_in_order(&l.lock_a, &l.lock_b);
  spin_lock(&l.lock_b);
  ASSERT_TRUE(spin_trylock(&l.lock_a));
  spin_unlock(&l.lock_a);
  spin_unlock(&l.lock_b);
  EXPECT_EQ(lockdep_report_count(), 0u) << lockdep_first_report();
}

TEST_F(LockdepTest, TransitiveCycleNamesTheChain) {
  spinlock_t lock_x, lock_y, lock_z;
  spin_lock_init(&lock_x);
  spin_lock_init(&lock_y);
  spin_lock_init(&lock_z);
  lock_in_order(&lock_x, &lock_y);
  lock_in_order(&lock_y, &lock_z);
  EXPECT_EQ(lockdep_report_count(), 0u);
  lock_in_order(&lock_z, &lock_x);
  EXPECT_EQ(lockdep_report_count(), 1u);
  EXPECT_NE(std::string(lockdep_first_report()).find("&lock_x -> &lock_y -> &lock_z"), std::string::npos)
      << lockdep_first_report();
}

TEST_F(LockdepTest, ResetForgetsTheOrder) {
  two_classes l;
  lock_in_order(&l.lock_a, &l.lock_b);
  lockdep_reset();
  lock_in_order(&l.lock_b, &l.lock_a);
  EXPECT_EQ(lockdep_report_count(), 0u);
}

void init_same_class(spinlock_t* lock) { spin_lock_init(lock); }

TEST_F(LockdepTest, NestingOneClassIsRecursion) {
  spinlock_t first, second;
  init_same_class(&first);
  init_same_class(&second);
  spin_lock(&first);
  spin_lock(&second);
  spin_unlock(&second);
  spin_unlock(&first);
  EXPECT_EQ(lockdep_report_count(), 1u);
  EXPECT_NE(std::string(lockdep_first_report()).find("possible recursive locking detected"),
            std::string::npos)
      << lockdep_first_report();
}

void init_same_rw_class(rwlock_t* lock) { rwlock_init(lock); }

TEST_F(LockdepTest, NestedReadersOfOneClassAreFine) {
  rwlock_t first, second;
  init_same_rw_class(&first);
  init_same_rw_class(&second);
  read_lock(&first);
  read_lock(&second);
  read_unlock(&second);
  read_unlock(&first);
  EXPECT_EQ(lockdep_report_count(), 0u);
  read_lock(&first);
  write_lock(&second);
  write_unlock(&second);
  read_unlock(&first);
  EXPECT_EQ(lockdep_report_count(), 1u) << "a writer nested in a reader of its class";
}

TEST_F(LockdepTest, HeldStackFollowsAcquireAndRelease) {
  static lock_class_key key_one, key_two;
  lockdep_map one, two;
  lockdep_init_map(&one, "one", &key_one, 0);
  lockdep_init_map(&two, "two", &key_two, 0);
  int x = 0, y = 0;
  lock_acquire(&one, &x, false, false);
  lock_acquire(&two, &y, true, true);
  EXPECT_EQ(get_current()->held.depth, 2);
  EXPECT_TRUE(lock_is_held(&one, &x));
  EXPECT_FALSE(lock_is_held(&one, &y)) << "another instance of the class";
  // Out-of-order release is allowed.
  lock_release(&one, &x);
  EXPECT_FALSE(lock_is_held(&one, &x));
  EXPECT_TRUE(lock_is_held(&two, &y));
  lock_release(&two, &y);
  EXPECT_EQ(get_current()->held.depth, 0);
  EXPECT_DEATH(lock_release(&one, &x), "BUG: releasing a lock that is not held.*lock: one");
}

TEST_F(LockdepTest, UninitialisedLockIsABug) {
  spinlock_t lock;  // no spin_lock_init: no class key
  EXPECT_DEATH(spin_lock(&lock), "BUG: lockdep: lock used without initialisation");
}

TEST_F(LockdepTest, MightSleepInAtomicIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  might_sleep();  // fine outside atomic context
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        might_sleep();
      },
      "BUG: sleeping function called from invalid context at .*lockdep_test.cc:[0-9]+.*preempt_count: "
      "1.*&lock");
}

}  // namespace
