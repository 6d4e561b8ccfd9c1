// Each strategy explores more than one interleaving; PCT finds a depth-2 bug as its bound promises.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "allocator/kernel/sched/runner.h"
#include "tests/allocator/kernel/sched/sched_test_util.h"

namespace zs_sched {
namespace {

using sched_test::RunLockProgram;
using sched_test::VThread;

// Distinct lock-acquisition orders of a 3-thread program over `schedules`.
size_t DistinctOrders(const std::vector<Schedule>& schedules) {
  std::set<std::vector<int>> orders;
  for (const Schedule& s : schedules) {
    std::vector<int> order;
    RunLockProgram(s, 3, 4, &order);
    orders.insert(order);
  }
  return orders.size();
}

TEST(SchedStrategiesTest, RandomExploresManyInterleavings) {
  std::vector<Schedule> s;
  s.reserve(20);
  for (uint64_t seed = 0; seed < 20; seed++) s.push_back(Schedule::Random(seed));
  EXPECT_GE(DistinctOrders(s), 10u);
}

TEST(SchedStrategiesTest, PctExploresManyInterleavings) {
  std::vector<Schedule> s;
  s.reserve(20);
  for (uint64_t seed = 0; seed < 20; seed++) {
    Schedule pct = Schedule::Pct(3, seed);
    pct.steps = 60;  // about the program's length
    s.push_back(pct);
  }
  EXPECT_GE(DistinctOrders(s), 3u);
}

TEST(SchedStrategiesTest, RoundRobinExploresWithQuantumAndData) {
  std::vector<Schedule> s;
  for (uint32_t quantum : {1u, 2u, 3u}) {
    for (const std::vector<uint32_t>& data :
         std::vector<std::vector<uint32_t>>{{}, {1}, {2, 1}, {1, 1, 1, 2}}) {
      Schedule rr = Schedule::RoundRobin();
      rr.quantum = quantum;
      rr.data = data;
      s.push_back(rr);
    }
  }
  EXPECT_GE(DistinctOrders(s), 4u);
}

TEST(SchedStrategiesTest, RoundRobinTakesTurns) {
  std::vector<int> order;
  RunLockProgram(Schedule::RoundRobin(), 3, 4, &order);
  // Once all three run, every thread gets the lock once per round.
  std::vector<int> tail(order.end() - 6, order.end());
  std::set<int> last_round(tail.begin(), tail.begin() + 3);
  EXPECT_EQ(last_round.size(), 3u) << ::testing::PrintToString(order);
}

// A lost update: each thread does read; yield; write on a shared counter
// with no lock. It needs one preemption between some thread's read and its
// write: a bug of depth 2 for PCT.
struct LostUpdate {
  std::atomic<int> value{0};
  void Bump() {
    const int v = value.load(std::memory_order_relaxed);
    kernel::yield_point("between_read_and_write", &value);
    value.store(v + 1, std::memory_order_relaxed);
  }
  void Run() {
    VThread a([this] { Bump(); }, "a");
    VThread b([this] { Bump(); }, "b");
    a.Join();
    b.Join();
  }
};

int LostUpdateHits(int depth, int runs) {
  int hits = 0;
  for (int seed = 0; seed < runs; seed++) {
    Schedule s = Schedule::Pct(depth, static_cast<uint64_t>(seed));
    s.steps = 16;  // the program is about 12 steps long
    LostUpdate p;
    const RunResult r = RunDeterministic(s, RunOptions{}, [&] { p.Run(); });
    EXPECT_EQ(r.status, RunStatus::kFinished) << r.report;
    if (p.value.load() != 2) hits++;
  }
  return hits;
}

// Odds: PCT hits a depth-d bug with probability >= 1/(n k^(d-1)) per run;
// here n = 3, k = 16, d = 2: >= 1/48, so 500 runs miss it with probability
// below (47/48)^500 < 3e-5. Depth 1 never preempts a thread that merely
// yields, so it can never split the read from the write.
TEST(SchedStrategiesTest, PctDepth2FindsLostUpdateDepth1Cannot) {
  EXPECT_EQ(LostUpdateHits(1, 100), 0);
  EXPECT_GT(LostUpdateHits(2, 500), 0);
}

}  // namespace
}  // namespace zs_sched
