// `zsfuzz bench`: the targets bench prints its header and a row per target
// with executions and steps, and a bench it does not have is one error line.
// No timing is asserted (a loaded machine would fail it): --runs fixes the
// executions, and steps do not depend on the machine.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzzers/tool/run_tool.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz_test {
namespace {

struct Row {
  uint64_t inputs = 0;
  uint64_t execs = 0;
  std::string program_steps, oracle_steps;  // "-" for the trivial target
};

// The table's rows by target: "target inputs execs exec/s ratio program oracle findings".
std::map<std::string, Row> Rows(const ToolRun& run) {
  std::map<std::string, Row> rows;
  const std::regex row(R"(^(trivial|seq|conc) +([0-9]+) +([0-9]+) +[0-9.]+ +\S+ +(\S+) +(\S+) +\S+$)");
  for (const std::string& line : run.OutLines()) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    rows[m[1]] = Row{std::stoull(m[2]), std::stoull(m[3]), m[4], m[5]};
  }
  return rows;
}

TEST(ZsfuzzBench, TargetsPrintsTheBuildAndARowPerTarget) {
  const ToolRun run = RunZsfuzz({"bench", "targets", "--runs", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const std::vector<std::string> lines = run.OutLines();
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::regex_search(
      lines[0], std::regex(R"(^zsfuzz bench targets: build \S+ \(.*sanitizer \S+.*\); load average )")))
      << lines[0];
  const std::map<std::string, Row> rows = Rows(run);
  ASSERT_EQ(rows.size(), 3u) << run.out;
  for (const auto& [target, row] : rows) {
    EXPECT_EQ(row.execs, 3u) << target;
    EXPECT_GT(row.inputs, 0u) << target;
  }
  // Every seed makes the scheduler step; the trivial target runs none.
  for (const char* target : {"seq", "conc"}) {
    EXPECT_GT(std::stod(rows.at(target).program_steps), 0) << run.out;
    EXPECT_GE(std::stod(rows.at(target).oracle_steps), 0) << run.out;
  }
  EXPECT_EQ(rows.at("trivial").program_steps, "-");
  EXPECT_EQ(rows.at("trivial").inputs, rows.at("seq").inputs + rows.at("conc").inputs);
  EXPECT_NE(run.out.find("\ntrivial: decodes the input"), std::string::npos) << run.out;
}

TEST(ZsfuzzBench, TargetsReadsAFolderOfInputsForBothTargets) {
  const std::string dir = ::testing::TempDir() + "zsfuzz_bench_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/a.txt") << kDesignExample;
  std::ofstream(dir + "/b.txt") << "# zsfuzz program v1\nthreads 1\nt0: malloc 100 -> a ; free a\n";
  const ToolRun run = RunZsfuzz({"bench", "targets", "--corpus", dir, "--runs=2"});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const std::map<std::string, Row> rows = Rows(run);
  ASSERT_EQ(rows.size(), 3u) << run.out;
  EXPECT_EQ(rows.at("seq").inputs, 2u);
  EXPECT_EQ(rows.at("conc").inputs, 2u);
  EXPECT_EQ(rows.at("trivial").inputs, 4u);
  EXPECT_GT(std::stod(rows.at("seq").program_steps), 0) << run.out;
}

TEST(ZsfuzzBench, UsageErrorsAreOneLine) {
  ExpectOneLineError(RunZsfuzz({"bench", "nope"}), "unknown bench 'nope'; benches: targets");
  ExpectOneLineError(RunZsfuzz({"bench"}), "'bench' needs the bench to run; benches: targets");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--seconds", "0"}), "--seconds 0 is out of range");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--seconds=x"}), "bad value 'x' for --seconds");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--corpus", "/nonexistent/zsfuzz"}),
                     "--corpus /nonexistent/zsfuzz: not a folder");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--variants", "pre,nope"}),
                     "--variants: unknown variant");
}

}  // namespace
}  // namespace zsfuzz_test
