// Blocking is modelled as waiting: unlock wakes lock waiters, wake_up wakes
// wait_event sleepers, kthread_stop waits for the thread's exit.
#include <gtest/gtest.h>

#include <atomic>

#include "allocator/kernel/sched/runner.h"
#include "tests/allocator/kernel/sched/sched_test_util.h"

namespace zs_sched {
namespace {

using sched_test::VThread;

int CountSteps(const RunResult& r, int tid, StepKind kind, const std::string& site) {
  int n = 0;
  for (const TraceStep& s : r.trace) n += (s.tid == tid && s.kind == kind && site == s.site);
  return n;
}

RunOptions Recording() {
  RunOptions o;
  o.record_trace = true;
  return o;
}

TEST(SchedBlockingTest, UnlockWakesBlockedLockWaiter) {
  for (const Schedule& s : {Schedule::RoundRobin(), Schedule::Random(3), Schedule::Pct(2, 4)}) {
    kernel::spinlock_t lock;
    spin_lock_init(&lock);
    std::vector<std::string> log;
    const RunResult r = RunDeterministic(s, Recording(), [&] {
      kernel::spin_lock(&lock);
      VThread t(
          [&] {
            kernel::spin_lock(&lock);
            log.push_back("T1 locked");
            kernel::spin_unlock(&lock);
          },
          "waiter");
      for (int i = 0; i < 50; i++) kernel::cond_resched();
      log.push_back("T0 unlocks");
      kernel::spin_unlock(&lock);
      t.Join();
    });
    ASSERT_EQ(r.status, RunStatus::kFinished) << r.report;
    EXPECT_EQ(log, (std::vector<std::string>{"T0 unlocks", "T1 locked"})) << s.ToString();
    // The waiter blocks at most once per release: no burnt spinning steps,
    // however long the holder keeps the lock.
    EXPECT_LE(CountSteps(r, 1, StepKind::kBlock, "spin_lock"), 1) << FormatTrace(r.trace);
    EXPECT_LT(r.steps, 70u);
  }
}

TEST(SchedBlockingTest, RwlockWritersWaitForReaders) {
  for (uint64_t seed = 0; seed < 20; seed++) {
    kernel::rwlock_t lock;
    rwlock_init(&lock);
    // Atomics: readers share the lock, so plain counters would race (and TSan says so).
    std::atomic<int> readers_inside{0}, max_inside{0};
    int writer_saw = -1;
    const RunResult r = RunDeterministic(Schedule::Random(seed), RunOptions{}, [&] {
      auto reader = [&] {
        kernel::read_lock(&lock);
        const int inside = ++readers_inside;
        if (inside > max_inside) max_inside = inside;
        kernel::cond_resched();
        --readers_inside;
        kernel::read_unlock(&lock);
      };
      VThread r1(reader, "r1"), r2(reader, "r2");
      VThread w(
          [&] {
            kernel::write_lock(&lock);
            writer_saw = readers_inside;
            kernel::write_unlock(&lock);
          },
          "w");
      r1.Join();
      r2.Join();
      w.Join();
    });
    ASSERT_EQ(r.status, RunStatus::kFinished) << r.report;
    EXPECT_EQ(writer_saw, 0);
    EXPECT_LE(max_inside, 2);
  }
}

TEST(SchedBlockingTest, WaitEventSleepsUntilWakeUp) {
  for (uint64_t seed = 0; seed < 20; seed++) {
    kernel::wait_queue_head wq;
    std::atomic<bool> flag{false};
    bool seen = false;
    const RunResult r = RunDeterministic(Schedule::Random(seed), Recording(), [&] {
      VThread sleeper(
          [&] {
            kernel::wait_event(&wq, [&] { return flag.load(std::memory_order_acquire); });
            seen = true;
          },
          "sleeper");
      for (int i = 0; i < 5; i++) kernel::cond_resched();
      flag.store(true, std::memory_order_release);
      kernel::wake_up(&wq);
      sleeper.Join();
    });
    ASSERT_EQ(r.status, RunStatus::kFinished) << r.report;
    EXPECT_TRUE(seen);
    EXPECT_LE(CountSteps(r, 1, StepKind::kBlock, "wait_event"), 1);
  }
}

TEST(SchedBlockingTest, KthreadStopWaitsForExit) {
  for (const Schedule& s : {Schedule::RoundRobin(), Schedule::Random(1), Schedule::Pct(3, 2)}) {
    int done = 0;
    const RunResult r = RunDeterministic(s, Recording(), [&] {
      VThread t(
          [&] {
            for (int i = 0; i < 10; i++) kernel::cond_resched();
            done = 1;
          },
          "child");
      t.Join();
      EXPECT_EQ(done, 1);
    });
    ASSERT_EQ(r.status, RunStatus::kFinished) << r.report;
    EXPECT_EQ(r.threads, 2);
    EXPECT_EQ(CountSteps(r, 1, StepKind::kExit, "exit"), 1);
  }
}

TEST(SchedBlockingTest, ThreadsHaveTheirOwnTaskStruct) {
  const RunResult r = RunDeterministic(Schedule::Random(2), RunOptions{}, [&] {
    kernel::spinlock_t a;
    spin_lock_init(&a);
    kernel::task_struct* root = kernel::get_current();
    EXPECT_EQ(CurrentVirtualThread(), 0);
    EXPECT_STREQ(root->comm, "root");
    kernel::spin_lock(&a);
    VThread t(
        [&] {
          EXPECT_NE(kernel::get_current(), root);
          EXPECT_EQ(CurrentVirtualThread(), 1);
          EXPECT_STREQ(kernel::get_current()->comm, "other");
          EXPECT_EQ(kernel::get_current()->preempt_count, 0);  // the root's lock is not ours
          EXPECT_EQ(kernel::get_current()->held.depth, 0);
        },
        "other");
    EXPECT_EQ(root->preempt_count, 1);
    kernel::spin_unlock(&a);
    t.Join();
  });
  EXPECT_EQ(r.status, RunStatus::kFinished) << r.report;
  EXPECT_EQ(CurrentVirtualThread(), -1);
}

}  // namespace
}  // namespace zs_sched
