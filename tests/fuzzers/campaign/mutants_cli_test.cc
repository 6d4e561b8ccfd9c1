// zsfuzz mutants, run as a user runs it: the matrix of the seeded mutants
// found by fuzzing under a fixed execution budget and fixed seeds, which is
// the same on every machine (no wall time is asserted), and its usage errors.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

struct MatrixRow {
  std::string detected;  // "k/K"
  std::string execs;     // median executions, "-" if never detected
  std::string caught;    // "seq invariant:..." or "survived"
};

std::map<std::string, MatrixRow> Matrix(const ToolRun& run) {
  std::map<std::string, MatrixRow> rows;
  const std::regex row(R"(^(mut-\S+) +(\S+) +([0-9]+/[0-9]+) +(\S+) +\S+ +\S+  (.*)$)");
  for (const std::string& line : run.OutLines()) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows[m[1]] = MatrixRow{m[3], m[4], m[5]};
  }
  return rows;
}

// A seq-only bug the seed corpus shows, a race a seed shows, a race only the
// campaign's mutations find, and a mutant 1,500 executions do not reach
// (a compactable zspage of class 0, seen at the drain): each campaign stops
// at its first finding, so this runs in seconds.
TEST(ZsfuzzMutants, FixedSeedsAndBudgetGiveTheMatrix) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "the matrix differs by build: a sanitizer reports some races first (mutants README)";
#endif
#endif
  const ToolRun r =
      RunZsfuzz({"mutants", "--only", "mut-free-order,mut-no-reread,mut-stat-unlocked,mut-shrink-skip",
                 "--seeds", "2", "--budget-execs", "1500"});
  EXPECT_EQ(r.exit_code, 1) << "a mutant survived, so the exit status is 1\n" << r.out << r.err;
  const std::map<std::string, MatrixRow> rows = Matrix(r);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows.at("mut-free-order").detected, "2/2");
  EXPECT_EQ(rows.at("mut-free-order").caught, "seq invariant:zspage.fullness");
  EXPECT_EQ(rows.at("mut-no-reread").detected, "2/2");
  // The seed diff_conc/free_rereads_obj_moved_by_compaction.txt frees an
  // object compaction moved after the lockless read: without the re-read,
  // zs_free touches the src zspage compaction freed (SIGSEGV on its page).
  EXPECT_EQ(rows.at("mut-no-reread").caught, "conc crash:libFuzzer: deadly signal");
  // Which seeds reach the race depends on the build's layout of the yield
  // sites' names, so only that some seed does is held here.
  EXPECT_NE(rows.at("mut-stat-unlocked").detected, "0/2");
  EXPECT_EQ(rows.at("mut-stat-unlocked").caught, "conc inflight:stat_classes.obj_allocated");
  EXPECT_EQ(rows.at("mut-shrink-skip").detected, "0/2");
  EXPECT_EQ(rows.at("mut-shrink-skip").caught, "survived");
  EXPECT_NE(r.out.find("\nmutants: 3 detected, 1 survived\n"), std::string::npos) << r.out;
  // One stderr line per campaign.
  EXPECT_NE(r.err.find("mut-shrink-skip seed 2: not found"), std::string::npos) << r.err;

  // The same budget and seeds give the same detections and executions to
  // each finding, in another process (another address-space layout): also
  // for the race the mutations find, which hundreds of inputs kept for their
  // coverage lead to.
  const ToolRun again = RunZsfuzz({"mutants", "--only", "mut-free-order,mut-no-reread,mut-stat-unlocked",
                                   "--seeds", "2", "--budget-execs", "1500"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::map<std::string, MatrixRow> rows2 = Matrix(again);
  ASSERT_EQ(rows2.size(), 3u) << again.out;
  for (const char* m : {"mut-free-order", "mut-no-reread", "mut-stat-unlocked"}) {
    EXPECT_EQ(rows2.at(m).detected, rows.at(m).detected) << m;
    EXPECT_EQ(rows2.at(m).execs, rows.at(m).execs) << m;
  }
}

// --baseline adds stress's columns; whether stress finds the mutant in its
// second depends on the machine, so only the shape is held here.
TEST(ZsfuzzMutants, BaselineAddsStressColumnsAndALinePerCampaign) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "the matrix differs by build: a sanitizer reports some races first (mutants README)";
#endif
#endif
  const ToolRun r = RunZsfuzz(
      {"mutants", "--only", "mut-pages-leak", "--seeds", "1", "--budget-execs", "500", "--baseline"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" stress  stress s  replays  s ratio  caught first by"), std::string::npos) << r.out;
  const std::regex row(
      R"(\nmut-pages-leak +post +1/1 +[0-9]+ +[0-9.]+ +[0-9]+ +[01]/1 +(-|[0-9.]+) +(-|[01]/1) +(-|[0-9.]+)  seq invariant:pool.pages_allocated\n)");
  EXPECT_TRUE(std::regex_search(r.out, row)) << r.out;
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex("mut-pages-leak seed 1: stress(: not found in| found it in) ")))
      << r.err;
}

TEST(ZsfuzzMutants, UsageErrorsAreOneLine) {
  for (const auto& [args, want] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"mutants", "--only", "mut-nope"}, "--only: 'mut-nope' is no seeded mutant (mut-pages-leak, "},
           {{"mutants", "--seeds", "0"}, "--seeds"},
           {{"mutants", "--budget-execs", "0"}, "--budget-execs"},
       }) {
    const ToolRun r = RunZsfuzz(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace
}  // namespace zsfuzz_test
