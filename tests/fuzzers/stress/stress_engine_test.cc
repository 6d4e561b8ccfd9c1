// The stress engine called in-process, and the PRNG and object pattern it
// relies on for repeatable runs.
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/stress/stress.h"
#include "gtest/gtest.h"
#include "oracle/exec/object_pattern.h"
#include "oracle/program/prng.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::Prng;

TEST(Prng, SameSeedSameStream) {
  Prng a(Prng::StreamSeed(7, 3));
  Prng b(Prng::StreamSeed(7, 3));
  for (int i = 0; i < 1000; i++) ASSERT_EQ(a.Next(), b.Next()) << i;
}

TEST(Prng, StreamsAndSeedsDiffer) {
  std::set<uint64_t> firsts;
  for (uint64_t seed = 0; seed < 4; seed++) {
    for (uint64_t stream = 0; stream < 4; stream++)
      firsts.insert(Prng(Prng::StreamSeed(seed, stream)).Next());
  }
  EXPECT_EQ(firsts.size(), 16u);
}

TEST(Prng, RangeIsInclusiveAndBounded) {
  Prng rng(1);
  bool saw_lo = false;
  bool saw_hi = false;
  for (int i = 0; i < 10000; i++) {
    const uint64_t x = rng.Range(5, 9);
    ASSERT_GE(x, 5u);
    ASSERT_LE(x, 9u);
    saw_lo |= x == 5;
    saw_hi |= x == 9;
  }
  EXPECT_TRUE(saw_lo && saw_hi);
  EXPECT_EQ(rng.Below(0), 0u);
  EXPECT_EQ(rng.Below(1), 0u);
}

TEST(ObjectPattern, DiffersByObjectGenerationAndOffset) {
  uint8_t a[64], b[64], c[64];
  zsfuzz::FillPattern(1, 1, a, sizeof a);
  zsfuzz::FillPattern(2, 1, b, sizeof b);
  zsfuzz::FillPattern(1, 2, c, sizeof c);
  EXPECT_LT(zsfuzz::FirstDifference(a, b, sizeof a), 8u);
  EXPECT_LT(zsfuzz::FirstDifference(a, c, sizeof a), 8u);
  // A copy shifted by one word must not match either.
  EXPECT_LT(zsfuzz::FirstDifference(a, a + 8, sizeof a - 8), 8u);
  // Odd lengths fill every byte and agree with the longer fill.
  uint8_t d[13];
  zsfuzz::FillPattern(1, 1, d, sizeof d);
  EXPECT_EQ(zsfuzz::FirstDifference(a, d, sizeof d), sizeof d);
}

class StressEngine : public ::testing::TestWithParam<std::string> {
 protected:
  zsfuzz::StressOptions Options(unsigned threads, uint64_t ops, uint64_t seed) {
    zsfuzz::StressOptions opt;
    opt.variant = zs_find_variant(GetParam().c_str());
    opt.threads = threads;
    opt.ops_per_thread = ops;
    opt.seed = seed;
    return opt;
  }
};

TEST_P(StressEngine, ShortRunIsCleanAndCountsAddUp) {
  if (BuiltWithTsan() && HasKnownTsanRace(GetParam())) GTEST_SKIP() << "known TSan race, see run_tool.h";
  const zsfuzz::StressOptions opt = Options(2, 3000, 5);
  const zsfuzz::StressResult r = zsfuzz::RunStress(opt);
  const std::string summary = zsfuzz::FormatStressSummary(opt, r);
  ASSERT_TRUE(r.clean) << summary;
  EXPECT_EQ(r.ops_executed, 6000u);
  EXPECT_GT(r.counts.malloc_ok, 0u);
  EXPECT_GT(r.counts.malloc_einval, 0u);
  EXPECT_GT(r.counts.malloc_enospc, 0u);
  EXPECT_GT(r.counts.reads + r.counts.sg_reads, 0u);
  EXPECT_GE(r.counts.writes, r.counts.malloc_ok);  // every new object is written once
  EXPECT_GE(r.counts.malloc_ok, r.counts.frees);
  EXPECT_GT(r.pages_peak, 0u);
  EXPECT_GE(r.pages_peak, r.pages_end);
  EXPECT_NE(r.class_table.find("Total"), std::string::npos) << r.class_table;
  EXPECT_EQ(summary.substr(summary.rfind("result:")), "result: clean\n");
}

TEST_P(StressEngine, ZeroOpsChecksSetupAndTeardownOnly) {
  const zsfuzz::StressResult r = zsfuzz::RunStress(Options(3, 0, 1));
  EXPECT_TRUE(r.clean) << r.details;
  EXPECT_EQ(r.ops_executed, 0u);
  EXPECT_EQ(r.pages_peak, 0u);
}

// One thread: the op sequence depends only on the seed (migration and
// compaction outcomes vary with the deferred-free worker's timing, but they
// do not steer which objects are allocated, written, read or freed).
TEST_P(StressEngine, OneThreadRepeatsItsOpSequence) {
  const zsfuzz::StressResult a = zsfuzz::RunStress(Options(1, 4000, 11));
  const zsfuzz::StressResult b = zsfuzz::RunStress(Options(1, 4000, 11));
  const zsfuzz::StressResult c = zsfuzz::RunStress(Options(1, 4000, 12));
  ASSERT_TRUE(a.clean && b.clean && c.clean) << a.details << b.details << c.details;
  EXPECT_EQ(a.counts.malloc_ok, b.counts.malloc_ok);
  EXPECT_EQ(a.counts.malloc_einval, b.counts.malloc_einval);
  EXPECT_EQ(a.counts.frees, b.counts.frees);
  EXPECT_EQ(a.counts.writes, b.counts.writes);
  EXPECT_EQ(a.counts.reads, b.counts.reads);
  EXPECT_EQ(a.counts.sg_reads, b.counts.sg_reads);
  EXPECT_FALSE(a.counts.malloc_ok == c.counts.malloc_ok && a.counts.frees == c.counts.frees &&
               a.counts.writes == c.counts.writes && a.counts.reads == c.counts.reads);
}

// A variant whose obj_write flips one bit in the middle of objects of some
// sizes: the oracle's model must name the check, the op, the object and the
// first bad byte.
const zs_variant_ops* real_variant = nullptr;

void CorruptingWrite(zs_pool* pool, unsigned long handle, void* mem, size_t len) {
  std::vector<uint8_t> copy(static_cast<uint8_t*>(mem), static_cast<uint8_t*>(mem) + len);
  if (len % 7 == 3) copy[len / 2] ^= 0x40;
  real_variant->obj_write(pool, handle, copy.data(), len);
}

TEST(StressEngineFindings, CorruptedWriteIsReportedWithItsPlace) {
  real_variant = zs_find_variant("pre");
  ASSERT_NE(real_variant, nullptr);
  zs_variant_ops broken = *real_variant;
  broken.obj_write = &CorruptingWrite;
  zsfuzz::StressOptions opt;
  opt.variant = &broken;
  opt.threads = 2;
  opt.ops_per_thread = 5000;
  const zsfuzz::StressResult r = zsfuzz::RunStress(opt);
  EXPECT_FALSE(r.clean);
  EXPECT_EQ(r.reason, "model:read.content");
  EXPECT_TRUE(std::regex_search(
      r.details,
      std::regex(
          R"(^model:read\.content: slot [a-z]+ byte [0-9]+: read=0x[0-9a-f]{2} model=0x[0-9a-f]{2} )"
          R"(\(write [0-9]+, [0-9]+ bytes\)\ncheck: model, in t[01] op [0-9]+ \(read(_sg)? [a-z]+\); variant pre\n)")))
      << r.details;
  const std::string summary = zsfuzz::FormatStressSummary(opt, r);
  EXPECT_NE(summary.find("\nrerun: zsfuzz stress --variant pre --threads 2 --ops 5000 --seed 1 --chain 8\n"),
            std::string::npos)
      << summary;
  EXPECT_EQ(summary.substr(summary.rfind("result:")), "result: FAILED (model:read.content)\n") << summary;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, StressEngine, ::testing::ValuesIn(VariantNames()), VariantTestName);

}  // namespace
}  // namespace zsfuzz_test
