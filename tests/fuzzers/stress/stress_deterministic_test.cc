// `zsfuzz stress --deterministic` as a library: the same stress engine under
// the deterministic scheduler replays the same interleaving for the same flags.
#include <gtest/gtest.h>

#include "allocator/kernel/sched/runner.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/stress/stress_deterministic.h"

namespace zsfuzz {
namespace {

StressOptions SmallStress(const char* variant, uint64_t seed) {
  StressOptions opt;
  opt.variant = zs_find_variant(variant);
  opt.threads = 3;
  opt.ops_per_thread = 600;
  opt.seed = seed;
  return opt;
}

TEST(SchedStressTest, SameFlagsSameTraceHash) {
  for (zs_sched::Strategy strategy :
       {zs_sched::Strategy::kRandom, zs_sched::Strategy::kPct, zs_sched::Strategy::kRoundRobin}) {
    const StressOptions opt = SmallStress("post", 4);
    const zs_sched::Schedule schedule = StressSchedule(strategy, opt);
    const DeterministicStressResult a = RunStressDeterministic(opt, schedule, /*trace=*/false);
    const DeterministicStressResult b = RunStressDeterministic(opt, schedule, /*trace=*/false);
    ASSERT_TRUE(a.clean()) << schedule.ToString() << "\n" << a.run.report << a.stress.details;
    EXPECT_GE(a.run.threads, 4);  // root and 3 workers (and the kworker, if deferred frees ran)
    EXPECT_GT(a.run.steps, 5000u);
    EXPECT_EQ(a.run.trace_hash, b.run.trace_hash) << schedule.ToString();
    EXPECT_EQ(a.run.steps, b.run.steps);
    EXPECT_EQ(a.stress.class_table, b.stress.class_table);
    EXPECT_EQ(a.stress.counts.migrations_ok, b.stress.counts.migrations_ok);
  }
}

TEST(SchedStressTest, SeedAndVariantChangeTheTrace) {
  const StressOptions opt = SmallStress("post", 4);
  const auto hash = [](const StressOptions& o) {
    return RunStressDeterministic(o, StressSchedule(zs_sched::Strategy::kRandom, o), false).run.trace_hash;
  };
  EXPECT_NE(hash(opt), hash(SmallStress("post", 5)));
  EXPECT_NE(hash(opt), hash(SmallStress("pre", 4)));
}

TEST(SchedStressTest, TraceAndSummaryLines) {
  StressOptions opt = SmallStress("pre", 2);
  opt.ops_per_thread = 20;
  const zs_sched::Schedule schedule = StressSchedule(zs_sched::Strategy::kRoundRobin, opt);
  const DeterministicStressResult r = RunStressDeterministic(opt, schedule, /*trace=*/true);
  ASSERT_TRUE(r.clean()) << r.run.report;
  EXPECT_EQ(r.run.trace.size(), r.run.steps);
  const std::string text = zs_sched::FormatTrace(r.run.trace);
  EXPECT_NE(text.find("T0  kthread_create         create T1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("&class_->lock"), std::string::npos);
  const std::string summary = FormatDeterministicSummary(opt, schedule, r);
  EXPECT_EQ(summary.find("schedule: schedule rr\n"), 0u) << summary;
  EXPECT_NE(summary.find("\ntrace-hash: " + zs_sched::HashHex(r.run.trace_hash) + "\n"), std::string::npos)
      << summary;
  EXPECT_EQ(summary.find("replay:"), std::string::npos) << summary;  // clean: nothing to replay
}

}  // namespace
}  // namespace zsfuzz
