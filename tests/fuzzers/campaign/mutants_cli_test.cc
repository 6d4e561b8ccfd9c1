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

// The matrix differs in sanitizer builds: a sanitizer reports some races first.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif
#else
constexpr bool kSanitizerBuild = false;
#endif

std::map<std::string, MatrixRow> Matrix(const ToolRun& run) {
  std::map<std::string, MatrixRow> rows;
  const std::regex row(R"(^(mut-\S+) +(\S+) +([0-9]+/[0-9]+) +(\S+) +\S+ +\S+  (.*)$)");
  for (const std::string& line : run.OutLines()) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows[m[1]] = MatrixRow{m[3], m[4], m[5]};
  }
  return rows;
}

// A seq-only bug the seed corpus shows, a race a seed shows and a race only
// the campaign's mutations find: each campaign stops at its first finding,
// so this runs in seconds.
TEST(ZsfuzzMutants, FixedSeedsAndBudgetGiveTheMatrix) {
  if (kSanitizerBuild)
    GTEST_SKIP() << "the matrix differs by build: a sanitizer reports some races first (mutants README)";
  const std::vector<std::string> args = {
      "mutants",        "--only", "mut-free-order,mut-no-reread,mut-stat-unlocked", "--seeds", "2",
      "--budget-execs", "3000"};
  const ToolRun r = RunZsfuzz(args);
  EXPECT_EQ(r.exit_code, 0) << "every mutant detected, so the exit status is 0\n" << r.out << r.err;
  const std::map<std::string, MatrixRow> rows = Matrix(r);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  EXPECT_EQ(rows.at("mut-free-order").detected, "2/2");
  EXPECT_EQ(rows.at("mut-free-order").caught, "seq invariant:zspage.fullness");
  EXPECT_EQ(rows.at("mut-no-reread").detected, "2/2");
  // The seed diff_conc/free_rereads_obj_moved_by_compaction.txt frees an
  // object compaction moved after the lockless read: without the re-read,
  // zs_free touches the src zspage compaction freed (SIGSEGV on its page).
  EXPECT_EQ(rows.at("mut-no-reread").caught, "conc crash:libFuzzer: deadly signal");
  // No seed reaches this race; the inputs the mutations build do. Which seeds
  // get there within the budget depends on the code's coverage, and how many
  // executions on the build's layout (a clone elsewhere took 1,557 and 1,587
  // where this tree's build took under 1,500), so only that some seed does
  // within twice that is held here.
  EXPECT_NE(rows.at("mut-stat-unlocked").detected, "0/2");
  EXPECT_EQ(rows.at("mut-stat-unlocked").caught, "conc inflight:stat_classes.obj_allocated");
  EXPECT_NE(r.out.find("\nmutants: 3 detected, 0 survived\n"), std::string::npos) << r.out;
  // One stderr line per campaign.
  EXPECT_NE(r.err.find("mut-stat-unlocked seed 2: "), std::string::npos) << r.err;

  // The same budget and seeds give the same detections and executions to
  // each finding, in another process (another address-space layout): also
  // for the race the mutations find, which hundreds of inputs kept for their
  // coverage lead to. (That it holds in another clone and build of the same
  // source, whose paths differ, was tried by hand: interleaving_coverage.cc
  // takes sites by the hash of their text, not by address.)
  const ToolRun again = RunZsfuzz(args);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::map<std::string, MatrixRow> rows2 = Matrix(again);
  ASSERT_EQ(rows2.size(), 3u) << again.out;
  for (const char* m : {"mut-free-order", "mut-no-reread", "mut-stat-unlocked"}) {
    EXPECT_EQ(rows2.at(m).detected, rows.at(m).detected) << m;
    EXPECT_EQ(rows2.at(m).execs, rows.at(m).execs) << m;
  }
}

// A mutant no seed shows, under a budget of fewer executions than there are
// seeds: it survives, and a survivor makes the exit status 1.
TEST(ZsfuzzMutants, ASurvivorIsARowAndExitStatusOne) {
  if (kSanitizerBuild)
    GTEST_SKIP() << "the matrix differs by build: a sanitizer reports some races first (mutants README)";
  const ToolRun r = RunZsfuzz(
      {"mutants", "--only", "mut-free-order,mut-shrink-skip", "--seeds", "1", "--budget-execs", "20"});
  EXPECT_EQ(r.exit_code, 1) << "a mutant survived, so the exit status is 1\n" << r.out << r.err;
  const std::map<std::string, MatrixRow> rows = Matrix(r);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows.at("mut-free-order").detected, "1/1");
  EXPECT_EQ(rows.at("mut-shrink-skip").detected, "0/1");
  EXPECT_EQ(rows.at("mut-shrink-skip").execs, "-");
  EXPECT_EQ(rows.at("mut-shrink-skip").caught, "survived");
  EXPECT_NE(r.out.find("\nmutants: 1 detected, 1 survived\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("mut-shrink-skip seed 1: not found"), std::string::npos) << r.err;
}

// --baseline adds stress's columns; whether stress finds the mutant in its
// second depends on the machine, so only the shape is held here.
TEST(ZsfuzzMutants, BaselineAddsStressColumnsAndALinePerCampaign) {
  if (kSanitizerBuild)
    GTEST_SKIP() << "the matrix differs by build: a sanitizer reports some races first (mutants README)";
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
