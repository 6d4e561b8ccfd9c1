// zsfuzz run / repro / minimize and the standalone target binaries, run as a
// user runs them: exit codes, output lines, determinism.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "targets_tool_" + std::to_string(getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of the "trace-hash: 0x..." line, or "".
std::string TraceHash(const std::string& out) {
  std::smatch m;
  return std::regex_search(out, m, std::regex("(^|\n)trace-hash: (0x[0-9a-f]{16})\n")) ? m[2].str() : "";
}

constexpr const char* kCleanProgram =
    "# zsfuzz program v1\n"
    "threads 2\n"
    "t0: malloc 100 -> a ; write a ; malloc 3000 -> b ; read a ; free a ; write b ; read_sg b ; free b\n"
    "t1: malloc 200 -> c ; write c ; migrate b page 0 ; compact ; flush ; stat_pages ; free c\n"
    "schedule pct depth=2 seed=5\n";

TEST(ZsfuzzRepro, CleanProgramExitsZeroWithTheSameTraceHashEveryRun) {
  const std::string file = TempPath("clean.txt");
  WriteFile(file, kCleanProgram);
  std::string first;
  for (int run = 0; run < 3; run++) {
    const ToolRun r = RunZsfuzz({"repro", file, "--variants", "pre,post"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("verdict: clean"), std::string::npos) << r.out;
    const std::string hash = TraceHash(r.out);
    ASSERT_FALSE(hash.empty()) << r.out;
    if (run == 0) first = hash;
    EXPECT_EQ(hash, first) << "run " << run;
  }
  // --trace prints the steps; the hash does not change.
  const ToolRun traced = RunZsfuzz({"repro", file, "--trace"});
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  EXPECT_NE(traced.out.find(" T1 "), std::string::npos) << traced.out;
  EXPECT_EQ(TraceHash(traced.out), first);
  fs::remove(file);
}

TEST(ZsfuzzRepro, SeqTargetRunsTheThreadsAsOne) {
  const std::string file = TempPath("seq.txt");
  WriteFile(file, kCleanProgram);
  const ToolRun r = RunZsfuzz({"repro", file, "--target", "seq"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 thread(s), 15 op(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check: seq"), std::string::npos) << r.out;
  fs::remove(file);
}

// A fixed budget of executions and a fixed seed, never wall time: the same
// campaign on every machine (--time only caps it).
TEST(ZsfuzzRun, ABudgetOfPreVsPostEndsCleanWithItsSummary) {
  const std::string out_dir = TempPath("findings");
  const ToolRun r = RunZsfuzz(
      {"run", "--runs", "1500", "--fuzz-seed", "1", "--jobs", "2", "--time", "600", "--out", out_dir});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::vector<std::string> lines = r.OutLines();
  ASSERT_GE(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0].rfind("zsfuzz run: pre vs post, ", 0), 0u) << lines[0];
  // "target  execs  exec/s  cov  ft  corpus  findings  jobs", then one row per target.
  const std::regex row(
      R"(^(zs_diff_seq_fuzzer|zs_diff_conc_fuzzer) +([0-9]+) +([0-9.]+) +([0-9]+) +([0-9]+) +([0-9]+) +([0-9]+) +([0-9]+)$)");
  int rows = 0;
  for (const std::string& line : lines) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    rows++;
    EXPECT_EQ(m[2], "1500") << line;             // execs: the budget, exactly
    EXPECT_GT(std::stod(m[3]), 0.0) << line;     // exec/s
    EXPECT_GT(std::stoull(m[4]), 100u) << line;  // coverage
    EXPECT_GT(std::stoull(m[6]), 0u) << line;    // corpus
    EXPECT_EQ(m[7], "0") << line;
    EXPECT_GE(std::stoi(m[8]), 1) << line;  // jobs: one per core, at least one per target
  }
  EXPECT_EQ(rows, 2) << r.out;
  EXPECT_EQ(lines.back(), "result: clean") << r.out;
  EXPECT_NE(r.err.find("zsfuzz run:"), std::string::npos) << "progress on stderr: " << r.err;
  EXPECT_FALSE(fs::exists(out_dir)) << "no findings, no findings directory";
}

// A seeded mutant (tests/mutants) is a crafted finding: post with zs_free
// forgetting to subtract pages_allocated. Its verdict and trace hash repeat.
TEST(ZsfuzzRepro, MutantFindingExitsOneWithTheSameTraceHashThreeTimes) {
  const std::string file = TempPath("mutant.txt");
  WriteFile(file, kCleanProgram);
  std::string first;
  for (int run = 0; run < 3; run++) {
    const ToolRun r = RunZsfuzz({"repro", file, "--variants", "post,mut-pages-leak"});
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("verdict: FINDING invariant"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nsignature: invariant:pool.pages_allocated\n"), std::string::npos) << r.out;
    const std::string hash = TraceHash(r.out);
    ASSERT_FALSE(hash.empty()) << r.out;
    if (run == 0) first = hash;
    EXPECT_EQ(hash, first) << "run " << run;
  }
  fs::remove(file);
}

TEST(ZsfuzzMinimize, ShrinksAMutantFindingAndKeepsItsSignature) {
  const std::string file = TempPath("to_minimize.txt"), out = TempPath("minimized.txt");
  WriteFile(file, kCleanProgram);
  const ToolRun r = RunZsfuzz({"minimize", file, "--variants", "post,mut-pages-leak", "-o", out});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  std::smatch before, after;
  ASSERT_TRUE(
      std::regex_search(r.out, before, std::regex(R"(before: ([0-9]+) thread\(s\), ([0-9]+) op\(s\))")))
      << r.out;
  ASSERT_TRUE(
      std::regex_search(r.out, after, std::regex(R"(after: +([0-9]+) thread\(s\), ([0-9]+) op\(s\))")))
      << r.out;
  EXPECT_EQ(before[1], "2");
  EXPECT_EQ(before[2], "15");
  EXPECT_LT(std::stoi(after[2]), 15) << r.out;
  EXPECT_LE(std::stoi(after[2]), 4) << "a malloc and a free show the leak: " << ReadFile(out);
  EXPECT_NE(r.out.find("signature: invariant:pool.pages_allocated"), std::string::npos) << r.out;
  // The written file is a finding with the same signature.
  const ToolRun again = RunZsfuzz({"repro", out, "--variants", "post,mut-pages-leak"});
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("\nsignature: invariant:pool.pages_allocated\n"), std::string::npos) << again.out;
  // A clean program is nothing to minimize.
  const ToolRun clean = RunZsfuzz({"minimize", file, "--variants", "pre,post", "-o", out + ".2"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_FALSE(fs::exists(out + ".2"));
  fs::remove(file);
  fs::remove(out);
}

// The whole campaign against a mutant: the finding is reported with a repro
// command that replays it.
TEST(ZsfuzzRun, FindsASeededMutantAndPrintsItsReproCommand) {
  const std::string out_dir = TempPath("mutant_findings");
  const ToolRun r = RunZsfuzz({"run", "--variants", "post,mut-stat-inuse", "--runs", "2000", "--fuzz-seed",
                               "1", "--jobs", "1", "--time", "600", "--target", "seq", "--out", out_dir});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("finding 1: zs_diff_seq_fuzzer: invariant:class.obj_used"), std::string::npos)
      << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m,
                                std::regex("  repro: zsfuzz repro (\\S+) --variants post,mut-stat-inuse\n")))
      << r.out;
  EXPECT_EQ(r.OutLines().back(), "result: 1 finding(s)") << r.out;
  const ToolRun replay = RunZsfuzz({"repro", m[1].str(), "--variants", "post,mut-stat-inuse"});
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("\nsignature: invariant:class.obj_used\n"), std::string::npos) << replay.out;
  fs::remove_all(out_dir);
}

// Under TSan, RFC v2's data race (corpus/regressions) kills the conc child
// while it loads the seeds. The campaign records it as a crash finding, drops
// the crashing input, suppresses that race for later children and goes on;
// the finding replays exactly and minimizes (issue 4's "done" for the race).
TEST(ZsfuzzRun, ACrashIsAFindingAndTheCampaignGoesOn) {
  if (!BuiltWithTsan()) GTEST_SKIP() << "the crash used here is a TSan report";
  const std::string out_dir = TempPath("crash_findings");
  const ToolRun r = RunZsfuzz({"run", "--variants", "pre,post-rfc-v2", "--runs", "1500", "--fuzz-seed", "1",
                               "--jobs", "1", "--time", "600", "--target", "conc", "--out", out_dir});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(
      r.out.find("finding 1: zs_diff_conc_fuzzer: crash:ThreadSanitizer: data race in zs_post_rfc_vN::"),
      std::string::npos)
      << r.out;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(r.out, m, std::regex(R"(\nzs_diff_conc_fuzzer +([0-9]+) +[0-9.]+ +([0-9]+) )")))
      << r.out;
  EXPECT_GT(std::stoull(m[1]), 10u) << "fuzzing went on after the crash: " << r.out;
  EXPECT_GT(std::stoull(m[2]), 100u) << r.out;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(zs_diff_conc_fuzzer: ([0-9]+) restart\(s\))")))
      << r.out;
  EXPECT_LE(std::stoi(m[1]), 3) << "the race must not end every child: " << r.out;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(  file:  (\S+\.txt)\n)"))) << r.out;
  const std::string file = m[1].str();
  // The finding replays 20 times out of 20 along the same steps: the trace
  // hash printed with the report (up to it) is the same every time.
  std::set<std::string> hashes;
  for (int i = 0; i < 20; i++) {
    const ToolRun replay = RunZsfuzz({"repro", file, "--variants", "pre,post-rfc-v2"});
    EXPECT_EQ(replay.exit_code, 1) << replay.out;
    EXPECT_NE(replay.err.find("WARNING: ThreadSanitizer: data race"), std::string::npos) << replay.err;
    std::smatch h;
    EXPECT_TRUE(std::regex_search(replay.err, h, std::regex("\ntrace-hash: (0x[0-9a-f]{16}) ")))
        << replay.err;
    hashes.insert(h.size() > 1 ? h[1].str() : "none");
  }
  EXPECT_EQ(hashes.size(), 1u) << "replays took different paths";
  // And minimize shrinks it, keeping the signature.
  const std::string min_file = TempPath("crash_min.txt");
  const ToolRun min = RunZsfuzz({"minimize", file, "--variants", "pre,post-rfc-v2", "-o", min_file});
  EXPECT_EQ(min.exit_code, 1) << min.out << min.err;
  std::smatch before, after;
  ASSERT_TRUE(std::regex_search(min.out, before, std::regex(R"(\nbefore: \d+ thread\(s\), (\d+) op)")))
      << min.out;
  ASSERT_TRUE(std::regex_search(min.out, after, std::regex(R"(\nafter:  \d+ thread\(s\), (\d+) op)")))
      << min.out;
  EXPECT_LT(std::stoi(after[1]), std::stoi(before[1])) << min.out;
  const ToolRun again = RunZsfuzz({"repro", min_file, "--variants", "pre,post-rfc-v2"});
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.err.find("SUMMARY: ThreadSanitizer: data race"), std::string::npos) << again.err;
  fs::remove_all(out_dir);
  fs::remove(min_file);
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* must_mention;
};

// The case's name, not its bytes, in ctest's test names.
void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.name; }

class ZsfuzzCampaignUsageError : public ::testing::TestWithParam<UsageCase> {};

TEST_P(ZsfuzzCampaignUsageError, ExitsTwoWithOneErrorLine) {
  const UsageCase& c = GetParam();
  const ToolRun r = RunZsfuzz(c.args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> lines = r.ErrLines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("zsfuzz: error: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(c.must_mention), std::string::npos) << lines[0];
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ZsfuzzCampaignUsageError,
    ::testing::Values(UsageCase{"RunOneVariant", {"run", "--variants", "pre"}, "A,B"},
                      UsageCase{"RunUnknownVariant", {"run", "--variants", "pre,nope"}, "nope"},
                      UsageCase{"RunZeroTime", {"run", "--time", "0"}, "--time"},
                      UsageCase{"RunBadTime", {"run", "--time", "ten"}, "ten"},
                      UsageCase{"RunBadTarget", {"run", "--target", "both"}, "both"},
                      UsageCase{"RunPositional", {"run", "file.txt"}, "file.txt"},
                      UsageCase{"RunInapplicableFlag", {"run", "--trace"}, "--trace"},
                      UsageCase{"ReproNoFile", {"repro"}, "repro"},
                      UsageCase{
                          "ReproMissingFile", {"repro", "/nonexistent/prog.txt"}, "/nonexistent/prog.txt"},
                      UsageCase{"ReproTwoFiles", {"repro", "a.txt", "b.txt"}, "b.txt"},
                      UsageCase{"ReproSameVariant", {"repro", "a.txt", "--variants", "post,post"}, "twice"},
                      UsageCase{"ReproBadTarget", {"repro", "a.txt", "--target", "x"}, "--target"},
                      UsageCase{"MinimizeNoFile", {"minimize", "-o", "x.txt"}, "minimize"},
                      UsageCase{"MinimizeOutWithoutValue", {"minimize", "a.txt", "-o"}, "--out"},
                      UsageCase{"MinimizeUnknownFlag", {"minimize", "a.txt", "--depth", "3"}, "--depth"}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return std::string(info.param.name); });

TEST(ZsfuzzHelp, ListsRunReproMinimizeButNotTheInternalChild) {
  const ToolRun r = RunZsfuzz({"help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* cmd : {"  run ", "  repro ", "  minimize "})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  EXPECT_EQ(r.out.find("fuzz-child"), std::string::npos) << r.out;
}

TEST(ZsfuzzReproText, ABrokenTextFileIsAnInputErrorNamingTheLine) {
  const std::string file = TempPath("broken.txt");
  WriteFile(file, "# zsfuzz program v1\nthreads 1\nt0: mallocc 10 -> a\n");
  const ToolRun r = RunZsfuzz({"repro", file});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  fs::remove(file);
}

// The standalone target binaries: variants from -variants= or ZSFUZZ_VARIANTS.
TEST(StandaloneTarget, UnknownVariantIsOneErrorLineAndExitTwo) {
  for (const char* binary : {ZS_SEQ_FUZZER, ZS_CONC_FUZZER}) {
    const ToolRun flag = RunBinary(binary, {"-variants=pre,nope", "-runs=1"});
    EXPECT_EQ(flag.exit_code, 2) << flag.err;
    EXPECT_NE(flag.err.find("unknown variant 'nope'"), std::string::npos) << flag.err;
    const ToolRun env = RunBinary(binary, {"-runs=1"}, {"ZSFUZZ_VARIANTS=bogus"});
    EXPECT_EQ(env.exit_code, 2) << env.err;
    EXPECT_NE(env.err.find("ZSFUZZ_VARIANTS"), std::string::npos) << env.err;
  }
}

TEST(StandaloneTarget, FuzzesAFewHundredInputsThroughTheEngine) {
  for (const char* binary : {ZS_SEQ_FUZZER, ZS_CONC_FUZZER}) {
    const std::string corpus = TempPath("corpus");
    fs::create_directories(corpus);
    WriteFile(corpus + "/seed.txt", kCleanProgram);
    const ToolRun r = RunBinary(binary, {"-runs=300", "-seed=1", "-variants=pre,post-1-2", corpus});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("comparing pre,post-1-2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Done 300 runs"), std::string::npos) << r.err;
    fs::remove_all(corpus);
  }
}

}  // namespace
}  // namespace zsfuzz_test
