// Same schedule => same interleaving and trace hash; different schedule data => different traces.
#include <gtest/gtest.h>

#include <memory>

#include "allocator/kernel/sched/runner.h"
#include "tests/allocator/kernel/sched/sched_test_util.h"

namespace zs_sched {
namespace {

using sched_test::RunLockProgram;

Schedule WithData(Schedule s, std::vector<uint32_t> data) {
  s.data = std::move(data);
  return s;
}

TEST(SchedDeterminismTest, SameScheduleSameHashOver100Runs) {
  for (const Schedule& s : {Schedule::Random(5), Schedule::Pct(2, 17), Schedule::RoundRobin(),
                            WithData(Schedule::Random(3), {2, 0, 1, 1, 0, 2, 2})}) {
    std::vector<int> first_order;
    const RunResult first = RunLockProgram(s, 3, 20, &first_order);
    EXPECT_GT(first.steps, 100u);
    for (int run = 1; run < 100; run++) {
      std::vector<int> order;
      const RunResult r = RunLockProgram(s, 3, 20, &order);
      ASSERT_EQ(r.trace_hash, first.trace_hash) << s.ToString() << " run " << run;
      ASSERT_EQ(r.steps, first.steps);
      ASSERT_EQ(order, first_order);
    }
  }
}

TEST(SchedDeterminismTest, DifferentScheduleDataDifferentTraces) {
  std::vector<int> a, b;
  const RunResult ra =
      RunLockProgram(WithData(Schedule::RoundRobin(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 3, 5, &a);
  const RunResult rb =
      RunLockProgram(WithData(Schedule::RoundRobin(), {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 3, 5, &b);
  EXPECT_NE(ra.trace_hash, rb.trace_hash);
  const RunResult rs1 = RunLockProgram(Schedule::Random(1), 3, 5);
  const RunResult rs2 = RunLockProgram(Schedule::Random(2), 3, 5);
  EXPECT_NE(rs1.trace_hash, rs2.trace_hash);
}

// Addresses never enter the hash: the same program with its lock elsewhere
// in memory has the same trace hash.
TEST(SchedDeterminismTest, HashIgnoresAddresses) {
  uint64_t hashes[2];
  for (int i = 0; i < 2; i++) {
    std::vector<std::unique_ptr<char[]>> padding;
    for (int k = 0; k <= i * 7; k++) padding.push_back(std::make_unique<char[]>(4096));
    auto p = std::make_unique<sched_test::LockProgram>();
    const RunResult r = RunDeterministic(Schedule::Random(11), RunOptions{}, [&] { p->Run(2, 10); });
    ASSERT_EQ(r.status, RunStatus::kFinished);
    hashes[i] = r.trace_hash;
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

// Whether a freed heap block's address comes back is the allocator's choice
// (ASan's quarantine never gives it back soon), not the program's, so it must
// not change the hash: here every round's lock is a fresh heap block, either
// freed right away (glibc hands the same address out again) or kept.
TEST(SchedDeterminismTest, HashIgnoresHeapAddressReuse) {
  uint64_t hashes[2];
  for (int keep = 0; keep < 2; keep++) {
    std::vector<std::unique_ptr<kernel::spinlock_t>> kept;
    const RunResult r = RunDeterministic(Schedule::Random(3), RunOptions{}, [&] {
      sched_test::VThread t(
          [] {
            for (int i = 0; i < 20; i++) kernel::cond_resched();
          },
          "other");
      for (int round = 0; round < 8; round++) {
        auto lock = std::make_unique<kernel::spinlock_t>();
        spin_lock_init(lock.get());
        kernel::spin_lock(lock.get());
        kernel::spin_unlock(lock.get());
        if (keep) kept.push_back(std::move(lock));
      }
      t.Join();
    });
    ASSERT_EQ(r.status, RunStatus::kFinished);
    hashes[keep] = r.trace_hash;
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

// Objects in static storage and in the page arena keep their identity in the
// hash: taking lock a then b differs from taking a twice.
TEST(SchedDeterminismTest, HashKeepsStableObjectIdentity) {
  static kernel::spinlock_t a, b;
  spin_lock_init(&a);
  spin_lock_init(&b);
  auto run = [](kernel::spinlock_t* second) {
    return RunDeterministic(Schedule::RoundRobin(), RunOptions{},
                            [second] {
                              kernel::spin_lock(&a);
                              kernel::spin_unlock(&a);
                              kernel::spin_lock(second);
                              kernel::spin_unlock(second);
                            })
        .trace_hash;
  };
  EXPECT_NE(run(&a), run(&b));
  EXPECT_EQ(run(&b), run(&b));
  kernel::page* p1 = kernel::alloc_page(kernel::GFP_KERNEL);
  kernel::page* p2 = kernel::alloc_page(kernel::GFP_KERNEL);
  auto run_pages = [](kernel::page* x, kernel::page* y) {
    return RunDeterministic(Schedule::RoundRobin(), RunOptions{},
                            [x, y] {
                              kernel::lock_page(x);
                              kernel::unlock_page(x);
                              kernel::lock_page(y);
                              kernel::unlock_page(y);
                            })
        .trace_hash;
  };
  EXPECT_NE(run_pages(p1, p1), run_pages(p1, p2));
  EXPECT_EQ(run_pages(p1, p2), run_pages(p1, p2));
  kernel::__free_page(p1);
  kernel::__free_page(p2);
}

TEST(SchedDeterminismTest, TraceHasOneReadableLinePerStep) {
  const RunResult r = RunLockProgram(Schedule::RoundRobin(), 2, 2, nullptr, /*record=*/true);
  ASSERT_EQ(r.trace.size(), r.steps);
  const std::string text = FormatTrace(r.trace);
  EXPECT_EQ(static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')), r.steps);
  // The root creates the worker, then both take the lock, named by lockdep.
  EXPECT_NE(text.find("T0  kthread_create         create T1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("T1  spin_lock                     #1 &lock\n"), std::string::npos) << text;
  EXPECT_NE(text.find("T1  exit                   exit\n"), std::string::npos) << text;
  EXPECT_EQ(HashHex(0x1234).size(), 18u);
}

TEST(SchedDeterminismTest, ScheduleChoicesAreRecordedAndReplayed) {
  auto run = [](const Schedule& s, std::vector<uint64_t>* values) {
    return RunDeterministic(s, RunOptions{}, [values] {
      for (int i = 0; i < 8; i++) values->push_back(ScheduleChoice(1000));
    });
  };
  std::vector<uint64_t> v1, v2, v3;
  const RunResult r1 = run(Schedule::Random(7), &v1);
  const RunResult r2 = run(Schedule::Random(7), &v2);
  const RunResult r3 = run(Schedule::Random(8), &v3);
  EXPECT_EQ(v1, v2);
  EXPECT_EQ(r1.trace_hash, r2.trace_hash);
  EXPECT_NE(v1, v3);
  EXPECT_NE(r1.trace_hash, r3.trace_hash);
  for (uint64_t v : v1) EXPECT_LT(v, 1000u);
  // Schedule data is consumed by choices too, before the PRNG.
  std::vector<uint64_t> vd;
  run(WithData(Schedule::Random(7), {5, 1005}), &vd);
  EXPECT_EQ(vd[0], 5u);
  EXPECT_EQ(vd[1], 5u);
  EXPECT_EQ(vd[2], v1[0]);
}

// SetStepObserver sees every step of a run, in trace order, and nothing once unset.
TEST(SchedDeterminismTest, StepObserverSeesEveryStep) {
  struct Seen {
    std::vector<std::pair<int, StepKind>> steps;
  } seen;
  SetStepObserver(
      [](void* ctx, const TraceStep& s) { static_cast<Seen*>(ctx)->steps.emplace_back(s.tid, s.kind); },
      &seen);
  RunOptions opt;
  opt.record_trace = true;
  auto p = std::make_unique<sched_test::LockProgram>();
  const RunResult r = RunDeterministic(Schedule::Random(5), opt, [&] { p->Run(3, 5); });
  SetStepObserver(nullptr, nullptr);
  ASSERT_EQ(r.status, RunStatus::kFinished);
  ASSERT_EQ(seen.steps.size(), r.steps);
  ASSERT_EQ(r.trace.size(), r.steps);
  for (size_t i = 0; i < r.trace.size(); i++) {
    EXPECT_EQ(seen.steps[i].first, r.trace[i].tid) << "step " << i;
    EXPECT_EQ(seen.steps[i].second, r.trace[i].kind) << "step " << i;
  }
  const size_t before = seen.steps.size();
  auto q = std::make_unique<sched_test::LockProgram>();
  RunDeterministic(Schedule::Random(5), RunOptions{}, [&] { q->Run(2, 3); });
  EXPECT_EQ(seen.steps.size(), before);
}

}  // namespace
}  // namespace zs_sched
