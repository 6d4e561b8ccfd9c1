// The stress engine runs its programs through the executor and the oracle:
// its programs follow the program rules, any thread count runs, and seeded
// mutants that the old stand-alone checks never saw are findings now.
#include <string>

#include "allocator/variants/mutants/mutants.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/stress/stress.h"
#include "fuzzers/stress/stress_deterministic.h"
#include "fuzzers/stress/stress_program.h"
#include "gtest/gtest.h"
#include "oracle/program/program.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

StressOptions Options(const zs_variant_ops* v, unsigned threads, uint64_t ops, uint64_t seed) {
  StressOptions opt;
  opt.variant = v;
  opt.threads = threads;
  opt.ops_per_thread = ops;
  opt.seed = seed;
  return opt;
}

const zs_variant_ops* Mutant(const char* name) {
  const SeededMutant* m = FindSeededMutant(name);
  return m ? m->ops : nullptr;
}

TEST(StressProgram, ValidSameSeedSameProgram) {
  const StressOptions opt = Options(zs_find_variant("post"), 3, 5000, 9);
  const StressProgram a = MakeStressProgram(opt, zs_sched::Schedule::Random(9));
  const StressProgram b = MakeStressProgram(opt, zs_sched::Schedule::Random(9));
  EXPECT_EQ(Validate(a.program), "");
  EXPECT_TRUE(a.program == b.program);
  ASSERT_EQ(a.program.threads.size(), 3u);
  for (size_t t = 0; t < 3; t++) {
    // At least one program op per random op (a malloc brings its write).
    EXPECT_GE(a.random_end[t] - a.random_begin[t], 5000u);
    EXPECT_GE(a.program.threads[t].size(), a.random_end[t]);
  }
  // It round-trips through the text form, so a stress program can be saved and replayed.
  absl::StatusOr<Program> parsed = ParseProgram(PrintProgram(a.program));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == a.program);
  EXPECT_FALSE(MakeStressProgram(Options(opt.variant, 3, 5000, 10), zs_sched::Schedule::Random(10)).program ==
               a.program);
}

TEST(StressProgram, PressureAndDisabledOps) {
  StressOptions opt = Options(zs_find_variant("post"), 2, 3000, 4);
  opt.zone_pressure = 7;
  opt.migrate = false;
  opt.compact = false;
  const StressProgram sp = MakeStressProgram(opt, zs_sched::Schedule::Random(4));
  for (const std::vector<Op>& ops : sp.program.threads) {
    ASSERT_FALSE(ops.empty());
    EXPECT_EQ(ops[0].code, OpCode::kPressure);
    EXPECT_EQ(ops[0].value, 7u);
    for (const Op& op : ops) {
      EXPECT_NE(op.code, OpCode::kMigrate);
      EXPECT_NE(op.code, OpCode::kCompact);
      EXPECT_NE(op.code, OpCode::kShrinkScan);
    }
  }
}

// More program threads than a fuzz input may have (kMaxThreads), on both backends.
TEST(StressOracle, MoreThreadsThanAFuzzInput) {
  const StressOptions opt = Options(zs_find_variant("post"), kMaxThreads + 4, 400, 3);
  const StressResult r = RunStress(opt);
  EXPECT_TRUE(r.clean) << r.details;
  EXPECT_EQ(r.ops_executed, uint64_t{kMaxThreads + 4} * 400);
  const DeterministicStressResult d =
      RunStressDeterministic(opt, StressSchedule(zs_sched::Strategy::kRandom, opt), /*trace=*/false);
  EXPECT_TRUE(d.clean()) << d.run.report << d.stress.details;
  EXPECT_GE(d.run.threads, static_cast<int>(kMaxThreads) + 5);
}

// mut-stat-inuse leaves ZS_OBJS_INUSE alone when a zspage empties: the class
// stats drift from the zspages, which no byte read shows. The old stress
// engine (content, leak and report checks of its own) never saw it; the
// oracle's invariant walk after the drain does, on either backend.
TEST(StressOracle, CatchesStatInuseOnBothBackends) {
  const zs_variant_ops* v = Mutant("mut-stat-inuse");
  ASSERT_NE(v, nullptr);
  const StressOptions opt = Options(v, 2, 3000, 1);
  const StressResult r = RunStress(opt);
  EXPECT_FALSE(r.clean);
  EXPECT_EQ(r.reason, "invariant:class.obj_used") << r.details;
  EXPECT_NE(r.details.find("check: invariant, after the drain; variant mut-stat-inuse"), std::string::npos)
      << r.details;
  const DeterministicStressResult d =
      RunStressDeterministic(opt, StressSchedule(zs_sched::Strategy::kRandom, opt), /*trace=*/false);
  EXPECT_FALSE(d.clean());
  EXPECT_EQ(d.stress.reason, "invariant:class.obj_used") << d.stress.details;
  // Its base is clean on the same program.
  EXPECT_TRUE(RunStress(Options(zs_find_variant("post"), 2, 3000, 1)).clean);
}

// mut-fullness never moves a zspage to its new fullness list; freeing it then
// BUGs in free_zspage. Deterministic, a BUG is the oracle's kernel finding
// (on real threads it aborts the process, which a test cannot share).
TEST(StressOracle, CatchesFullnessDeterministically) {
  const zs_variant_ops* v = Mutant("mut-fullness");
  ASSERT_NE(v, nullptr);
  const StressOptions opt = Options(v, 2, 2000, 1);
  const DeterministicStressResult d =
      RunStressDeterministic(opt, StressSchedule(zs_sched::Strategy::kRandom, opt), /*trace=*/false);
  EXPECT_FALSE(d.clean());
  EXPECT_EQ(d.stress.reason.rfind("kernel:BUG: zspage->fullness", 0), 0u) << d.stress.details;
}

}  // namespace
}  // namespace zsfuzz
