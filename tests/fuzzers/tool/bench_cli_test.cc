// `zsfuzz bench`: the targets bench prints its header and a row per target
// with executions and steps; the contention bench prints its three tables,
// lock_stat counters that follow the variants' locking, and a plot; a bench
// it does not have is one error line. No timing is asserted (a loaded machine
// would fail it): --runs fixes the executions, and steps and lock
// acquisitions do not depend on the machine.
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

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

struct Row {
  uint64_t inputs = 0;
  uint64_t execs = 0;
  std::string program_steps, oracle_steps, replays;  // "-" for the trivial target
};

// The table's rows by target: "target inputs execs exec/s ratio program oracle replays findings".
std::map<std::string, Row> Rows(const ToolRun& run) {
  std::map<std::string, Row> rows;
  const std::regex row(
      R"(^(trivial|seq|conc|conc-l4) +([0-9]+) +([0-9]+) +[0-9.]+ +\S+ +(\S+) +(\S+) +(\S+) +\S+$)");
  for (const std::string& line : run.OutLines()) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    rows[m[1]] = Row{std::stoull(m[2]), std::stoull(m[3]), m[4], m[5], m[6]};
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
  ASSERT_EQ(rows.size(), 4u) << run.out;
  for (const auto& [target, row] : rows) {
    EXPECT_EQ(row.execs, 3u) << target;
    EXPECT_GT(row.inputs, 0u) << target;
  }
  // conc-l4 is conc without level 5: its replays, none; seq has none to make.
  EXPECT_EQ(rows.at("conc-l4").inputs, rows.at("conc").inputs);
  EXPECT_EQ(rows.at("conc-l4").replays, "0.0");
  EXPECT_EQ(rows.at("seq").replays, "0.0");
  EXPECT_LE(std::stod(rows.at("conc-l4").program_steps), std::stod(rows.at("conc").program_steps));
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
  ASSERT_EQ(rows.size(), 4u) << run.out;
  EXPECT_EQ(rows.at("seq").inputs, 2u);
  EXPECT_EQ(rows.at("conc").inputs, 2u);
  EXPECT_EQ(rows.at("trivial").inputs, 4u);
  EXPECT_GT(std::stod(rows.at("seq").program_steps), 0) << run.out;
}

TEST(ZsfuzzBench, UsageErrorsAreOneLine) {
  ExpectOneLineError(RunZsfuzz({"bench", "nope"}), "unknown bench 'nope'; benches: targets, contention");
  ExpectOneLineError(RunZsfuzz({"bench"}), "'bench' needs the bench to run; benches: targets, contention");
  ExpectOneLineError(RunZsfuzz({"bench", "contention", "--zone-pressure", "none,huge"}),
                     "--zone-pressure: 'huge' is no pressure level (none, light, heavy)");
  ExpectOneLineError(RunZsfuzz({"bench", "contention", "--bench-variants", "pre,nope"}),
                     "--bench-variants: 'nope' is no variant");
  ExpectOneLineError(RunZsfuzz({"bench", "contention", "--cpus", "1,0"}), "--cpus: '0' is no CPU count");
  ExpectOneLineError(RunZsfuzz({"bench", "contention", "--threads", "65"}), "--threads");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--seconds", "0"}), "--seconds 0 is out of range");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--seconds=x"}), "bad value 'x' for --seconds");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--corpus", "/nonexistent/zsfuzz"}),
                     "--corpus /nonexistent/zsfuzz: not a folder");
  ExpectOneLineError(RunZsfuzz({"bench", "targets", "--variants", "pre,nope"}),
                     "--variants: unknown variant");
}

// A small contention run: 2 real threads, 300 objects each, one repetition,
// two variants, two pressure levels, 1 and 2 virtual CPUs.
TEST(ZsfuzzBench, ContentionPrintsItsTablesLockStatAndAPlot) {
  const std::string dir = ::testing::TempDir() + "zsfuzz_contention_" + std::to_string(getpid());
  const ToolRun run = RunZsfuzz({"bench", "contention", "--quick", "--threads", "2", "--objects", "300",
                                 "--reps", "1", "--zone-pressure", "none,light", "--bench-variants",
                                 "pre,post", "--cpus", "1,2", "--out", dir});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(^zsfuzz bench contention: build \S+ )"))) << run.out;
  EXPECT_NE(run.out.find("objects: zram's sizes for 1024 pages: mean "), std::string::npos) << run.out;
  // Real threads: a row per (threads, pressure, variant); lock_stat per run.
  // Each zs_free of pre takes pool->lock for reading and class->lock once;
  // post's takes no pool->lock (the series' patch 2), so it has no row there.
  std::map<std::string, std::vector<std::string>> real;
  const std::regex row(
      R"(^ +([12]) (none|light) +(pre|post) +[0-9.]+ +[0-9.]+% +[0-9.]+  (\S+) +(\S+) +(\S+) *$)");
  for (const std::string& line : run.OutLines()) {
    std::smatch m;
    if (std::regex_match(line, m, row))
      real[std::string(m[1]) + " " + std::string(m[2]) + " " + std::string(m[3])] = {m[4], m[5], m[6]};
  }
  ASSERT_EQ(real.size(), 8u) << run.out;
  EXPECT_TRUE(StartsWith(real.at("1 none pre")[0], "300/0/")) << run.out;
  EXPECT_TRUE(StartsWith(real.at("1 none pre")[1], "300/0/")) << run.out;
  EXPECT_TRUE(StartsWith(real.at("2 light pre")[1], "600/")) << run.out;
  EXPECT_EQ(real.at("1 none post")[1], "-") << run.out;
  EXPECT_EQ(real.at("2 light post")[1], "-") << run.out;
  EXPECT_TRUE(StartsWith(real.at("2 none post")[0], "600/")) << run.out;
  EXPECT_NE(real.at("1 none pre")[2], "-") << "pages go back under zone->lock\n" << run.out;
  // The model's check and the virtual table.
  EXPECT_NE(run.out.find("the cost model (virtual_time.h): "), std::string::npos) << run.out;
  EXPECT_TRUE(
      std::regex_search(run.out, std::regex(R"(\n +2 light +post +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+\n)")))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(\n +2 none +[0-9.]+ +[0-9.]+ +[0-9.]+\n)")))
      << run.out;
  std::ifstream table(dir + "/contention.txt");
  const std::string text((std::istreambuf_iterator<char>(table)), std::istreambuf_iterator<char>());
  EXPECT_EQ(run.out.rfind(text, 0), 0u) << "contention.txt is the printed table";
  std::ifstream plot(dir + "/contention.svg");
  const std::string svg((std::istreambuf_iterator<char>(plot)), std::istreambuf_iterator<char>());
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u) << svg;
  EXPECT_NE(svg.find("<polyline"), std::string::npos) << svg;
  EXPECT_NE(svg.find("post, light"), std::string::npos) << svg;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zsfuzz_test
