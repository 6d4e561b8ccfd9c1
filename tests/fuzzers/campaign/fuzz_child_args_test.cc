// The fuzz child's libFuzzer command line: a time budget weights inputs by
// their execution time, an execution budget stays independent of the clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fuzzers/campaign/fuzz_child_args.h"

namespace zsfuzz {
namespace {

bool Has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(FuzzChildArgs, ATimeBudgetFavoursFastInputs) {
  const std::vector<std::string> args = FuzzChildArgs(targets::TargetKind::kSeq, "/w", 60, 0, 0);
  EXPECT_TRUE(Has(args, "-entropic_scale_per_exec_time=1"));
  EXPECT_TRUE(Has(args, "-max_total_time=60"));
  EXPECT_FALSE(
      std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("-runs="); }));
  EXPECT_EQ(args.back(), "/w/seq/corpus");
}

TEST(FuzzChildArgs, AnExecutionBudgetReadsNoClock) {
  const std::vector<std::string> args = FuzzChildArgs(targets::TargetKind::kConc, "/w", 600, 300, 7);
  EXPECT_FALSE(Has(args, "-entropic_scale_per_exec_time=1"));
  EXPECT_TRUE(Has(args, "-runs=300"));
  EXPECT_TRUE(Has(args, "-reload=0"));
  EXPECT_TRUE(Has(args, "-seed=7"));
  EXPECT_EQ(args.back(), "/w/conc/corpus");
}

}  // namespace
}  // namespace zsfuzz
