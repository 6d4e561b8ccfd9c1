// zsfuzz run --jobs, zsfuzz corpus merge|minimize and zsfuzz gate, run as a
// user or a CI job runs them: exit codes, the lines they print, the files
// they write.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "corpus_gate_" + std::to_string(getpid()) + "_" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> FileContents(const std::string& dir) {
  std::set<std::string> contents;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    contents.insert(ReadFile(e.path().string()));
  return contents;
}

// "corpus ACTION: DIR: B -> A files (N inputs read)": {B, A, N}.
std::vector<uint64_t> MergeCounts(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(: ([0-9]+) -> ([0-9]+) files \(([0-9]+) inputs read\)\n)")))
    return {};
  return {std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
}

// --jobs spread over the targets, the first ones taking the remainder, at
// least one each: the header on stderr and the summary's jobs column.
TEST(ZsfuzzRun, JobsAreSpreadOverTheTargetsAtLeastOneEach) {
  const std::string out_dir = TempPath("spread");
  for (const auto& [jobs, seq, conc] : {std::tuple{"3", "2", "1"}, std::tuple{"1", "1", "1"}}) {
    const zsfuzz_test::ToolRun r = RunZsfuzz(
        {"run", "--jobs", jobs, "--runs", "40", "--fuzz-seed", "1", "--time", "600", "--out", out_dir});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto plural = [](const std::string& n) { return n + (n == "1" ? " job)" : " jobs)"); };
    EXPECT_NE(r.err.find("zs_diff_seq_fuzzer (" + plural(seq) + " zs_diff_conc_fuzzer (" + plural(conc)),
              std::string::npos)
        << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(\nzs_diff_seq_fuzzer .* ([0-9]+)\n)"))) << r.out;
    EXPECT_EQ(m[1].str(), seq) << r.out;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(\nzs_diff_conc_fuzzer .* ([0-9]+)\n)"))) << r.out;
    EXPECT_EQ(m[1].str(), conc) << r.out;
  }
  fs::remove_all(out_dir);
}

// Two processes fuzz one target side by side: one row, two jobs, the budget
// split between them, clean.
TEST(ZsfuzzRun, TwoJobsFuzzOneTargetTogether) {
  const std::string out_dir = TempPath("jobs");
  const zsfuzz_test::ToolRun r = RunZsfuzz({"run", "--target", "seq", "--jobs", "2", "--runs", "601",
                                            "--fuzz-seed", "1", "--time", "600", "--out", out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("zs_diff_seq_fuzzer (2 jobs)"), std::string::npos) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(\nzs_diff_seq_fuzzer +([0-9]+) .* ([0-9]+)\n)")))
      << r.out;
  EXPECT_EQ(m[1].str(), "601") << "300 and 301 executions, one share each: " << r.out;
  EXPECT_EQ(m[2].str(), "2") << r.out;
  EXPECT_EQ(r.OutLines().back(), "result: clean") << r.out;
  fs::remove_all(out_dir);
}

TEST(ZsfuzzRun, JobsOutOfRangeIsAUsageError) {
  const zsfuzz_test::ToolRun r = RunZsfuzz({"run", "--jobs", "1000", "--time", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("zsfuzz: error: --jobs"), std::string::npos) << r.err;
}

// Minimizing the seq seeds, one of them twice under another name, keeps a
// subset of them, byte for byte, without the second copy (it adds nothing);
// merging the seeds back into that subset adds nothing: it covers what they
// cover.
TEST(ZsfuzzCorpus, MinimizeKeepsASubsetThatMergeCannotExtend) {
  const std::string seeds = TempPath("seeds") + "/diff_seq";
  const std::string min = TempPath("min");
  fs::remove_all(fs::path(seeds).parent_path());
  fs::remove_all(min);
  fs::create_directories(seeds);
  for (const fs::directory_entry& e : fs::directory_iterator(std::string(ZS_SOURCE_DIR) + "/corpus/diff_seq"))
    fs::copy_file(e.path(), seeds + "/" + e.path().filename().string());
  fs::copy_file(seeds + "/write_read_free.txt", seeds + "/write_read_free_again.txt");
  const zsfuzz_test::ToolRun r = RunZsfuzz({"corpus", "minimize", seeds, "--out", min});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::vector<uint64_t> counts = MergeCounts(r.out);
  ASSERT_EQ(counts.size(), 3u) << r.out;
  const uint64_t inputs = std::distance(fs::directory_iterator(seeds), fs::directory_iterator());
  EXPECT_EQ(counts[0], 0u);
  EXPECT_EQ(counts[2], inputs);
  EXPECT_GE(counts[1], 1u);
  EXPECT_LE(counts[1], inputs - 1) << "the copy adds nothing: " << r.out;
  const std::set<std::string> kept = FileContents(min);
  EXPECT_EQ(kept.size(), counts[1]);
  const std::set<std::string> all = FileContents(seeds);
  for (const std::string& k : kept) EXPECT_TRUE(all.count(k)) << "not a seed: " << k.substr(0, 200);

  const zsfuzz_test::ToolRun again = RunZsfuzz({"corpus", "merge", min, seeds});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::vector<uint64_t> merged = MergeCounts(again.out);
  ASSERT_EQ(merged.size(), 3u) << again.out;
  EXPECT_EQ(merged[0], counts[1]);
  EXPECT_EQ(merged[1], counts[1]) << "the minimized corpus covers what the seeds cover: " << again.out;
  // minimize never writes into a folder that holds something.
  const zsfuzz_test::ToolRun busy = RunZsfuzz({"corpus", "minimize", seeds, "--out", min});
  EXPECT_EQ(busy.exit_code, 2) << busy.out << busy.err;
  EXPECT_NE(busy.err.find("is not an empty folder"), std::string::npos) << busy.err;
  fs::remove_all(min);
  fs::remove_all(fs::path(seeds).parent_path());
}

// An input with a finding ends libFuzzer's inner run: it is left out and
// counted, and the rest is merged.
TEST(ZsfuzzCorpus, AnInputWithAFindingIsLeftOut) {
  const std::string in = TempPath("in") + "/diff_seq";
  const std::string out = TempPath("out");
  fs::remove_all(fs::path(in).parent_path());
  fs::remove_all(out);
  fs::create_directories(in);
  const std::string src = std::string(ZS_SOURCE_DIR) + "/corpus/";
  const std::vector<std::string> files = {src + "regressions/mutant_stat_inuse.txt",
                                          src + "diff_seq/malloc_size0_fails.txt",
                                          src + "diff_seq/write_read_free.txt"};
  const std::string variants = "post,mut-stat-inuse";
  uint64_t findings = 0;
  std::set<std::string> clean;
  for (const std::string& f : files) {
    fs::copy_file(f, in + "/" + fs::path(f).filename().string());
    const zsfuzz_test::ToolRun r = RunZsfuzz({"repro", f, "--variants", variants, "--target", "seq"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
    if (r.exit_code == 1) {
      findings++;
    } else {
      clean.insert(ReadFile(f));
    }
  }
  ASSERT_GE(findings, 1u) << "the regression file must give the mutant's finding";
  const zsfuzz_test::ToolRun r = RunZsfuzz({"corpus", "merge", out, in, "--variants", variants});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(findings) + " input(s) ended the target"), std::string::npos) << r.out;
  for (const std::string& kept : FileContents(out)) EXPECT_TRUE(clean.count(kept)) << kept;
  // The merge's log, kept because it names what was left out; its folder is
  // the test's to remove.
  std::smatch log;
  ASSERT_TRUE(std::regex_search(r.out, log, std::regex("see (/tmp/zsfuzz-corpus-[A-Za-z0-9]+)/merge\\.log")))
      << r.out;
  EXPECT_TRUE(fs::is_regular_file(log[1].str() + "/merge.log")) << r.out;
  fs::remove_all(log[1].str());
  fs::remove_all(fs::path(in).parent_path());
  fs::remove_all(out);
}

TEST(ZsfuzzCorpus, BadArgumentsAreOneErrorLine) {
  const std::string seeds = std::string(ZS_SOURCE_DIR) + "/corpus/diff_seq";
  const std::string regressions = std::string(ZS_SOURCE_DIR) + "/corpus/regressions";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"corpus", "shrink", seeds}, "unknown action 'shrink'"},
      {{"corpus", "merge", seeds}, "give OUT and at least one IN folder"},
      {{"corpus", "minimize", regressions, "--out", TempPath("x")}, "cannot tell the target"},
      {{"corpus", "minimize", seeds, std::string(ZS_SOURCE_DIR) + "/corpus/diff_conc", "--out",
        TempPath("x")},
       "of both targets"},
      {{"corpus", "merge", TempPath("x"), TempPath("missing"), "--target", "seq"}, "is not a folder"},
      {{"corpus", "minimize", seeds, "--variants", "pre,nope", "--out", TempPath("x")}, "--variants"},
  };
  for (const auto& [args, text] : cases) {
    const zsfuzz_test::ToolRun r = RunZsfuzz(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.out << r.err;
    ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  }
  fs::remove_all(TempPath("x"));
}

TEST(ZsfuzzGate, PreAgainstPostPassesAndWritesItsSummary) {
  const std::string out = TempPath("gate_pass");
  const zsfuzz_test::ToolRun r =
      RunZsfuzz({"gate", "--base", "pre", "--head", "post", "--budget-execs", "300", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.OutLines().back(), "gate: PASS: post against pre, 300 executions per target, seed 1") << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(\nzs_diff_seq_fuzzer +([0-9]+) )"))) << r.out;
  EXPECT_EQ(m[1].str(), "300") << r.out;
  EXPECT_EQ(ReadFile(out + "/summary.txt"), r.out);
  fs::remove_all(out);
}

// A bug in --head fails the gate, with the finding as a file that replays.
TEST(ZsfuzzGate, AMutantFailsTheGateWithItsFindingAsAFile) {
  const std::string out = TempPath("gate_fail");
  const zsfuzz_test::ToolRun r = RunZsfuzz(
      {"gate", "--base", "post", "--head", "mut-stat-inuse", "--budget-execs", "300", "--out", out});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.OutLines().back().rfind("gate: FAIL: mut-stat-inuse against post: ", 0), 0u) << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(  file:  (\S+\.txt)\n)"))) << r.out;
  EXPECT_EQ(fs::path(m[1].str()).parent_path(), fs::path(out)) << r.out;
  const zsfuzz_test::ToolRun replay = RunZsfuzz({"repro", m[1].str(), "--variants", "post,mut-stat-inuse"});
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  fs::remove_all(out);
}

TEST(ZsfuzzGate, NeedsBaseAndHead) {
  const zsfuzz_test::ToolRun r = RunZsfuzz({"gate", "--head", "post"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("give both --base and --head"), std::string::npos) << r.err;
  const zsfuzz_test::ToolRun bad = RunZsfuzz({"gate", "--base", "pre", "--head", "nope"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("'nope'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace zsfuzz_test
