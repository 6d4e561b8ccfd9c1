// The workqueue's worker runs as a virtual thread under the deterministic backend.
#include <gtest/gtest.h>

#include <string>

#include "allocator/kernel/sched/runner.h"
#include "tests/allocator/kernel/sched/sched_test_util.h"

namespace zs_sched {
namespace {

struct Work {
  kernel::work_struct work;
  int runs = 0;
  int ran_on = -2;
  std::string comm;
};

void WorkFn(kernel::work_struct* w) {
  auto* self = reinterpret_cast<Work*>(w);  // work is the first member
  self->runs++;
  self->ran_on = CurrentVirtualThread();
  self->comm = kernel::get_current()->comm;
}

TEST(SchedWorkqueueTest, WorkerIsAVirtualThread) {
  uint64_t hash = 0;
  for (int run = 0; run < 10; run++) {
    Work w;
    kernel::INIT_WORK(&w.work, WorkFn);
    RunOptions opt;
    opt.record_trace = true;
    const RunResult r = RunDeterministic(Schedule::Random(3), opt, [&] {
      EXPECT_TRUE(kernel::schedule_work(&w.work));
      kernel::flush_work(&w.work);
      EXPECT_EQ(w.runs, 1);
      kernel::schedule_work(&w.work);
      kernel::flush_work(&w.work);
    });
    ASSERT_EQ(r.status, RunStatus::kFinished) << r.report;
    EXPECT_EQ(w.runs, 2);
    EXPECT_EQ(w.ran_on, 1);
    EXPECT_EQ(w.comm, "kworker/0:1");
    EXPECT_EQ(r.threads, 2);  // root and the worker, stopped by the root at the end
    const std::string text = FormatTrace(r.trace);
    EXPECT_NE(text.find("kthread_create         create T1"), std::string::npos) << text;
    if (run == 0) hash = r.trace_hash;
    EXPECT_EQ(r.trace_hash, hash);
  }
}

TEST(SchedWorkqueueTest, FreeRunningBackendStillWorks) {
  Work w;
  kernel::INIT_WORK(&w.work, WorkFn);
  const RunResult r = RunFreeRunning(RunOptions{}, [&] {
    kernel::schedule_work(&w.work);
    kernel::flush_work(&w.work);
  });
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(w.runs, 1);
  EXPECT_EQ(w.ran_on, -1);  // an OS thread, not a virtual one
  EXPECT_EQ(w.comm, "kworker/0:1");
  // And a deterministic run right after takes over the (stopped) workqueue.
  const RunResult d = RunDeterministic(Schedule::RoundRobin(), RunOptions{}, [&] {
    kernel::schedule_work(&w.work);
    kernel::flush_work(&w.work);
  });
  EXPECT_EQ(d.status, RunStatus::kFinished) << d.report;
  EXPECT_EQ(w.runs, 2);
  EXPECT_EQ(w.ran_on, 1);
}

}  // namespace
}  // namespace zs_sched
