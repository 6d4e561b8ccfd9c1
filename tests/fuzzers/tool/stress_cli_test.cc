// A short `zsfuzz stress` run of every registered variant is clean; a seeded
// mutant is a finding with the oracle's check and field, on both backends.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

class ZsfuzzStress : public ::testing::TestWithParam<std::string> {};

TEST_P(ZsfuzzStress, ShortRunIsClean) {
  if (BuiltWithTsan() && HasKnownTsanRace(GetParam())) GTEST_SKIP() << "known TSan race, see run_tool.h";
  const ToolRun run =
      RunZsfuzz({"stress", "--variant", GetParam(), "--threads", "2", "--ops", "20000", "--seed", "1"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<std::string> lines = run.OutLines();
  ASSERT_FALSE(lines.empty()) << run.err;
  EXPECT_EQ(lines.back(), "result: clean") << run.out;
  EXPECT_NE(run.out.find("ops: 40000 in "), std::string::npos) << run.out;
}

TEST(ZsfuzzStressFindings, SeededMutantIsAFindingWithTheOraclesCheck) {
  for (const bool deterministic : {false, true}) {
    std::vector<std::string> args = {"stress", "--variant", "mut-stat-inuse", "--threads", "2",
                                     "--ops",  "3000",      "--seed",         "1"};
    if (deterministic) args.push_back("--deterministic");
    const ToolRun run = RunZsfuzz(args);
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("\nfinding: invariant:class.obj_used: class "), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\nfinding: check: invariant, after the drain; variant mut-stat-inuse"),
              std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("\nresult: FAILED (invariant:class.obj_used)\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find(deterministic ? "\nreplay: zsfuzz stress --variant mut-stat-inuse "
                                         : "\nrerun: zsfuzz stress --variant mut-stat-inuse "),
              std::string::npos)
        << run.out;
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, ZsfuzzStress, ::testing::ValuesIn(VariantNames()), VariantTestName);

}  // namespace
}  // namespace zsfuzz_test
