// The virtual-time scheduler of `zsfuzz bench contention`: threads without a
// shared lock overlap in virtual time, a lock serializes their critical
// sections (and lock_stat counts the wait), and the same run gives the same
// span every time.
#include "fuzzers/tool/virtual_time.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "allocator/kernel/sched/runner.h"
#include "kernel/kernel.h"

namespace zsfuzz {
namespace {

constexpr int kSteps = 200;  // cond_resched() calls per worker
constexpr double kNs = 10;   // the cost model's ns per step

struct Worker {
  kernel::spinlock_t* lock = nullptr;  // held around the steps, if set
};

void Work(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  if (w->lock) kernel::spin_lock(w->lock);
  for (int i = 0; i < kSteps; i++) kernel::cond_resched();
  if (w->lock) kernel::spin_unlock(w->lock);
}

// Two workers between the marks, on the virtual-time scheduler.
double SpanOfTwoWorkers(kernel::spinlock_t* shared) {
  kernel::kernel_reset();
  VirtualTimeScheduler vts(CostModel{kNs, 0});
  zs_sched::SetStepObserver(&VirtualTimeScheduler::OnStep, &vts);
  zs_sched::RunOptions opt;
  opt.scheduler = &vts;
  const zs_sched::RunResult r = zs_sched::RunDeterministic(zs_sched::Schedule::RoundRobin(), opt, [&] {
    if (shared) spin_lock_init(shared);
    Worker a{shared}, b{shared};
    kernel::yield_point(VirtualTimeScheduler::kMarkBegin, nullptr);
    kernel::task_struct* ta = kernel::kthread_run(&Work, &a, "vt-a");
    kernel::task_struct* tb = kernel::kthread_run(&Work, &b, "vt-b");
    kernel::kthread_stop(ta);
    kernel::kthread_stop(tb);
    kernel::yield_point(VirtualTimeScheduler::kMarkEnd, nullptr);
  });
  zs_sched::SetStepObserver(nullptr, nullptr);
  EXPECT_EQ(r.status, zs_sched::RunStatus::kFinished) << r.report;
  return vts.MarkedSpanNs();
}

TEST(VirtualTime, ThreadsWithoutASharedLockOverlap) {
  const double span = SpanOfTwoWorkers(nullptr);
  // One worker's steps, plus a few for the creates, joins and exits; far
  // from the two workers' steps end to end.
  EXPECT_GE(span, kSteps * kNs);
  EXPECT_LT(span, 1.1 * kSteps * kNs);
}

TEST(VirtualTime, ALockSerializesTheCriticalSectionsAndTheWaitIsCounted) {
  kernel::spinlock_t lock;
  kernel::lock_stat_clear();
  kernel::lock_stat_enable(true);
  const double span = SpanOfTwoWorkers(&lock);
  kernel::lock_stat_enable(false);
  EXPECT_GE(span, 2 * kSteps * kNs);
  EXPECT_LT(span, 2.2 * kSteps * kNs);
  const std::vector<kernel::lock_stat_entry> stats = kernel::lock_stat_read();
  const auto it = std::find_if(stats.begin(), stats.end(),
                               [](const kernel::lock_stat_entry& e) { return e.name == "shared"; });
  ASSERT_NE(it, stats.end());
  EXPECT_EQ(it->acquisitions, 2u);
  EXPECT_EQ(it->contentions, 1u) << "the second worker waited for the first";
}

TEST(VirtualTime, TheSameRunHasTheSameSpan) {
  kernel::spinlock_t lock;
  EXPECT_EQ(SpanOfTwoWorkers(&lock), SpanOfTwoWorkers(&lock));
  EXPECT_EQ(SpanOfTwoWorkers(nullptr), SpanOfTwoWorkers(nullptr));
}

}  // namespace
}  // namespace zsfuzz
