// spinlock_t and rwlock_t: mutual exclusion across kernel threads, atomic context, writer preference,
// contention.
#include <atomic>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::kthread;
using kernel_test::settle;

class SpinlockTest : public kernel_test::KernelTest {};

TEST_F(SpinlockTest, MutualExclusionOfFourKthreads) {
  spinlock_t lock;
  spin_lock_init(&lock);
  long counter = 0;  // plain: only the spinlock orders the increments (TSan checks it)
  constexpr int kIters = 20000;
  auto worker = [&] {
    for (int i = 0; i < kIters; i++) {
      spin_lock(&lock);
      counter++;
      spin_unlock(&lock);
    }
  };
  {
    kthread a(worker), b(worker), c(worker), d(worker);
  }
  EXPECT_EQ(counter, 4L * kIters);
  EXPECT_FALSE(spin_is_locked(&lock));
}

TEST_F(SpinlockTest, HoldingIsAtomicContext) {
  spinlock_t lock;
  spin_lock_init(&lock);
  EXPECT_FALSE(in_atomic());
  spin_lock(&lock);
  EXPECT_TRUE(in_atomic());
  EXPECT_TRUE(spin_is_locked(&lock));
  EXPECT_TRUE(lock_is_held(&lock.dep_map, &lock));
  assert_spin_locked(&lock);
  spin_unlock(&lock);
  EXPECT_FALSE(in_atomic());
  EXPECT_FALSE(lock_is_held(&lock.dep_map, &lock));
  EXPECT_DEATH(assert_spin_locked(&lock), "BUG: !::kernel::spin_is_locked\\(&lock\\)");
}

TEST_F(SpinlockTest, TrylockFailsWhileHeldElsewhere) {
  spinlock_t lock;
  spin_lock_init(&lock);
  spin_lock(&lock);
  std::atomic<int> result{-1};
  {
    kthread t([&] { result = spin_trylock(&lock) ? 1 : 0; });
  }
  EXPECT_EQ(result.load(), 0);
  spin_unlock(&lock);
  ASSERT_TRUE(spin_trylock(&lock));
  EXPECT_TRUE(in_atomic());
  spin_unlock(&lock);
}

TEST_F(SpinlockTest, SpinLockWaitsForTheHolder) {
  spinlock_t lock;
  spin_lock_init(&lock);
  spin_lock(&lock);
  std::atomic<bool> started{false}, acquired{false};
  kthread t([&] {
    started = true;
    spin_lock(&lock);
    acquired = true;
    spin_unlock(&lock);
  });
  EXPECT_TRUE(eventually([&] { return started.load(); }));
  settle();
  EXPECT_FALSE(acquired.load());
  spin_unlock(&lock);
  t.join();
  EXPECT_TRUE(acquired.load());
}

TEST_F(SpinlockTest, MisuseIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  EXPECT_DEATH(spin_unlock(&lock), "BUG: spin_unlock of an unlocked lock");
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        spin_lock(&lock);
      },
      "BUG: spinlock recursion");
}

// The recursion check is the lock's owner, as CONFIG_DEBUG_SPINLOCK's: it
// does not depend on lockdep tracking the lock, and an unlock clears it.
TEST_F(SpinlockTest, RecursionIsABugWithLockdepOffToo) {
  spinlock_t lock;
  spin_lock_init(&lock);
  spin_lock(&lock);
  spin_unlock(&lock);
  spin_lock(&lock);  // taken again after the unlock: no recursion
  spin_unlock(&lock);
  EXPECT_DEATH(
      {
        lockdep_off();
        spin_lock(&lock);
        spin_lock(&lock);
      },
      "BUG: spinlock recursion");
}

TEST_F(SpinlockTest, RwlockReadersShare) {
  rwlock_t lock;
  rwlock_init(&lock);
  std::atomic<int> inside{0};
  std::atomic<bool> both_inside{false};
  auto reader = [&] {
    read_lock(&lock);
    inside++;
    // Both readers must be able to hold the lock at the same time.
    if (eventually([&] { return inside.load() == 2; })) both_inside = true;
    read_unlock(&lock);
  };
  {
    kthread a(reader), b(reader);
  }
  EXPECT_TRUE(both_inside.load());
  EXPECT_EQ(lock.cnt.load(), 0);
}

TEST_F(SpinlockTest, RwlockWritersExcludeReadersAndWriters) {
  rwlock_t lock;
  rwlock_init(&lock);
  long a = 0, b = 0;  // plain; writers keep a == b, readers check it
  std::atomic<int> torn{0};
  auto writer = [&] {
    for (int i = 0; i < 5000; i++) {
      write_lock(&lock);
      a++;
      b++;
      write_unlock(&lock);
    }
  };
  auto reader = [&] {
    for (int i = 0; i < 5000; i++) {
      read_lock(&lock);
      if (a != b) torn++;
      read_unlock(&lock);
    }
  };
  {
    kthread w1(writer), w2(writer), r1(reader), r2(reader);
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(a, 10000);
  EXPECT_EQ(b, 10000);
  EXPECT_FALSE(rwlock_is_contended(&lock));
}

TEST_F(SpinlockTest, RwlockIsContendedWhileAWriterWaits) {
  rwlock_t lock;
  rwlock_init(&lock);
  read_lock(&lock);
  EXPECT_TRUE(in_atomic());
  EXPECT_FALSE(rwlock_is_contended(&lock));
  std::atomic<bool> writer_done{false}, reader_done{false};
  kthread w([&] {
    write_lock(&lock);
    writer_done = true;
    write_unlock(&lock);
  });
  EXPECT_TRUE(eventually([&] { return rwlock_is_contended(&lock); }));
  EXPECT_EQ(lock.writers_waiting.load(), 1);
  // Writer preference: a new reader queues behind the waiting writer.
  kthread r([&] {
    read_lock(&lock);
    reader_done = true;
    read_unlock(&lock);
  });
  EXPECT_TRUE(eventually([&] { return lock.waiters.load() == 2; }));
  settle();
  EXPECT_FALSE(writer_done.load());
  EXPECT_FALSE(reader_done.load());
  read_unlock(&lock);
  w.join();
  r.join();
  EXPECT_TRUE(writer_done.load());
  EXPECT_TRUE(reader_done.load());
  EXPECT_FALSE(rwlock_is_contended(&lock));
}

TEST_F(SpinlockTest, RwlockMisuseIsABug) {
  rwlock_t lock;
  rwlock_init(&lock);
  EXPECT_DEATH(read_unlock(&lock), "BUG: read_unlock of a lock not read-held");
  EXPECT_DEATH(write_unlock(&lock), "BUG: write_unlock of a lock not write-held");
  EXPECT_DEATH(
      {
        read_lock(&lock);
        write_unlock(&lock);
      },
      "BUG: write_unlock of a lock not write-held");
}

}  // namespace
