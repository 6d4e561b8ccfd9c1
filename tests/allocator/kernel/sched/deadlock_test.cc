// Failures end the run with a report instead of hanging: deadlocks (lock
// inversion, page locks, join), livelock via the step budget, and BUGs.
#include <gtest/gtest.h>

#include <atomic>

#include "allocator/kernel/sched/runner.h"
#include "tests/allocator/kernel/sched/sched_test_util.h"

namespace zs_sched {
namespace {

using sched_test::VThread;

// Two threads take two spinlocks in opposite order, each waiting until the
// other holds its first lock, so every fair schedule deadlocks.
RunResult RunAbba(const Schedule& s) {
  static kernel::spinlock_t a, b;  // static: abandoned threads keep pointing at them
  spin_lock_init(&a);
  spin_lock_init(&b);
  static std::atomic<int> first_taken;
  first_taken = 0;
  return RunDeterministic(s, RunOptions{}, [] {
    auto body = [](kernel::spinlock_t* x, kernel::spinlock_t* y) {
      kernel::spin_lock(x);
      first_taken.fetch_add(1);
      while (first_taken.load() < 2) kernel::cond_resched();
      kernel::spin_lock(y);
      kernel::spin_unlock(y);
      kernel::spin_unlock(x);
    };
    // Leaked on purpose: the threads are abandoned in the deadlock.
    auto* t1 = new VThread([=] { body(&a, &b); }, "abba-1");
    auto* t2 = new VThread([=] { body(&b, &a); }, "abba-2");
    t1->Join();
    t2->Join();
  });
}

TEST(SchedDeadlockTest, AbbaIsReportedNotHung) {
  kernel::lockdep_reset();
  for (const Schedule& s : {Schedule::RoundRobin(), Schedule::Random(9), Schedule::Pct(2, 5)}) {
    const RunResult r = RunAbba(s);
    ASSERT_EQ(r.status, RunStatus::kDeadlock) << s.ToString();
    EXPECT_CONTAINS(r.report, ("zs_sched: deadlock after")) << r.report;
    EXPECT_CONTAINS(r.report, ("T1 \"abba-1\" blocked in spin_lock on &b")) << r.report;
    EXPECT_CONTAINS(r.report, ("held by T2 \"abba-2\"; holds &a")) << r.report;
    EXPECT_CONTAINS(r.report, ("T2 \"abba-2\" blocked in spin_lock on &a")) << r.report;
    EXPECT_CONTAINS(r.report, ("T0 \"root\" blocked in kthread_join waiting for T1 \"abba-1\"")) << r.report;
    EXPECT_CONTAINS(r.report, ("cycle: T1 -> T2 -> T1")) << r.report;
    EXPECT_CONTAINS(r.report, ("last steps:")) << r.report;
  }
  // lockdep-lite saw the inversion as it happened.
  EXPECT_GE(kernel::lockdep_report_count(), 1u);
  ASSERT_NE(kernel::lockdep_first_report(), nullptr);
  EXPECT_CONTAINS(kernel::lockdep_first_report(), ("possible circular locking dependency"));
}

TEST(SchedDeadlockTest, PageLockInversionNamesThePages) {
  kernel::page* p1 = kernel::alloc_page(kernel::GFP_KERNEL);
  kernel::page* p2 = kernel::alloc_page(kernel::GFP_KERNEL);
  ASSERT_NE(p1, nullptr);
  ASSERT_NE(p2, nullptr);
  static std::atomic<int> first_taken;
  first_taken = 0;
  const RunResult r = RunDeterministic(Schedule::Random(1), RunOptions{}, [=] {
    auto body = [](kernel::page* x, kernel::page* y) {
      kernel::lock_page(x);
      first_taken.fetch_add(1);
      while (first_taken.load() < 2) kernel::cond_resched();
      kernel::lock_page(y);
    };
    auto* t1 = new VThread([=] { body(p1, p2); }, "pl-1");
    auto* t2 = new VThread([=] { body(p2, p1); }, "pl-2");
    t1->Join();
    t2->Join();
  });
  ASSERT_EQ(r.status, RunStatus::kDeadlock);
  char pfn1[32], pfn2[32];
  std::snprintf(pfn1, sizeof pfn1, "pfn 0x%lx", kernel::page_to_pfn(p1));
  std::snprintf(pfn2, sizeof pfn2, "pfn 0x%lx", kernel::page_to_pfn(p2));
  EXPECT_CONTAINS(r.report, (std::string("T1 \"pl-1\" blocked in wait_event on page_lock #"))) << r.report;
  EXPECT_CONTAINS(r.report, (std::string(pfn2) + ", held by T2 \"pl-2\"; holds page_lock #")) << r.report;
  EXPECT_CONTAINS(r.report, (pfn1)) << r.report;
  EXPECT_CONTAINS(r.report, ("cycle: T1 -> T2 -> T1")) << r.report;
}

TEST(SchedDeadlockTest, SleepingForeverIsADeadlock) {
  static kernel::wait_queue_head wq;
  const RunResult r = RunDeterministic(Schedule::Random(4), RunOptions{}, [] {
    auto* t = new VThread([] { kernel::wait_event(&wq, [] { return false; }); }, "sleeper");
    t->Join();
  });
  ASSERT_EQ(r.status, RunStatus::kDeadlock);
  EXPECT_CONTAINS(r.report, ("T1 \"sleeper\" blocked in wait_event on")) << r.report;
  EXPECT_CONTAINS(r.report, ("T0 -> T1 (join)")) << r.report;
  EXPECT_CONTAINS(r.report, ("T1 -> nobody holds")) << r.report;
}

TEST(SchedDeadlockTest, StepBudgetCatchesLivelock) {
  static std::atomic<bool> never{false};
  RunOptions opt;
  opt.max_steps = 1000;
  const RunResult r = RunDeterministic(Schedule::Random(6), opt, [] {
    auto* t = new VThread(
        [] {
          while (!never.load()) kernel::cond_resched();
        },
        "spinner");
    t->Join();
  });
  ASSERT_EQ(r.status, RunStatus::kStepBudget);
  EXPECT_EQ(r.steps, 1000u);
  EXPECT_CONTAINS(r.report, ("step budget of 1000 steps exhausted")) << r.report;
  EXPECT_CONTAINS(r.report, ("T1 \"spinner\" runnable")) << r.report;
  EXPECT_CONTAINS(r.report, ("T1  cond_resched")) << r.report;
}

TEST(SchedDeadlockTest, BugCanEndTheRunWithAReport) {
  RunOptions opt;
  opt.on_bug = BugAction::kReturn;
  const RunResult r = RunDeterministic(Schedule::RoundRobin(), opt, [] {
    auto* t = new VThread(
        [] {
          kernel::cond_resched();
          BUG_ON(1 + 1 == 2);
        },
        "buggy");
    t->Join();
  });
  ASSERT_EQ(r.status, RunStatus::kBug);
  EXPECT_CONTAINS(r.report, ("zs_sched: BUG in virtual thread T1 \"buggy\"")) << r.report;
  EXPECT_CONTAINS(r.report, ("BUG: 1 + 1 == 2 at")) << r.report;
  EXPECT_CONTAINS(r.report, ("T0 \"root\" blocked in kthread_join")) << r.report;
}

TEST(SchedDeadlockDeathTest, BugPrintsVirtualThreadAndTrace) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(RunDeterministic(Schedule::RoundRobin(), RunOptions{},
                                [] {
                                  VThread t(
                                      [] {
                                        kernel::cond_resched();
                                        BUG_ON(2 > 1);
                                      },
                                      "buggy");
                                  t.Join();
                                }),
               "BUG: 2 > 1 at .*the BUG above happened in virtual thread T1 \"buggy\" at step [0-9]+ of "
               "`schedule rr`; last steps:.*T1  cond_resched");
}

}  // namespace
}  // namespace zs_sched
