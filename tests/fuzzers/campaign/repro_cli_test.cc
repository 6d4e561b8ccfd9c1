// zsfuzz repro's file reading and reports: the form it read (a text without
// the header is text, not some binary program), and a crash of the check
// reported as a finding with a verdict and a signature, and --dump.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "repro_cli_" + std::to_string(getpid()) + "_" + name;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

// Issue 8, trap a: without the header this replayed as an unrelated
// 5-thread binary program, verdict clean.
TEST(ZsfuzzReproForm, TextWithoutTheHeaderReplaysAsThatText) {
  const std::string file = WriteFile("headerless.txt", "threads 1\nt0: malloc 100 -> a ; free a\n");
  const ToolRun r = RunZsfuzz({"repro", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("read: " + file + " (text without the '# zsfuzz program v1' header)\n", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("program: " + file + ": 1 thread(s), 2 op(s), 0 schedule decision(s)"),
            std::string::npos)
      << r.out;
  std::remove(file.c_str());
}

TEST(ZsfuzzReproForm, SaysWhichFormItRead) {
  const std::string text = WriteFile("with_header.txt", "# zsfuzz program v1\nthreads 1\nt0: flush\n");
  const ToolRun t = RunZsfuzz({"repro", text});
  EXPECT_EQ(t.out.rfind("read: " + text + " (text)\n", 0), 0u) << t.out;
  const std::string bin = WriteFile("noise.bin", std::string("\x01\x00\x07\xff", 4));
  const ToolRun b = RunZsfuzz({"repro", bin});
  EXPECT_EQ(b.out.rfind("read: " + bin + " (binary, 4 bytes)\n", 0), 0u) << b.out;
  std::remove(text.c_str());
  std::remove(bin.c_str());
}

TEST(ZsfuzzReproForm, BadTextWithoutTheHeaderIsOneErrorLine) {
  const std::string file = WriteFile("headerless_bad.txt", "threads 1\nt0: mallc 100 -> a\n");
  const ToolRun r = RunZsfuzz({"repro", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_EQ(r.ErrLines()[0].rfind("zsfuzz: error: " + file + ":2:5: unknown op 'mallc'", 0), 0u) << r.err;
  std::remove(file.c_str());
}

constexpr const char* kCompactAfterFrees = ZS_SOURCE_DIR "/corpus/diff_seq/compact_after_frees.txt";

bool HasLine(const std::string& out, const std::string& regex) {
  return std::regex_search(out, std::regex("(^|\n)" + regex + "\n"));
}

TEST(ZsfuzzReproDump, PrintsTheTotalsAndTheClassTableAtEveryStatOpAndTheDrain) {
  const ToolRun r = RunZsfuzz({"repro", kCompactAfterFrees, "--dump"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(HasLine(r.out, "--- pre")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "\\+\\+\\+ post")) << r.out;
  // The program's stat ops are ops 17, 30 (stat_pool) and 35 (stat_classes).
  for (const char* point : {"after t0 op 17: stat_pool", "after t0 op 30: stat_pool",
                            "after t0 op 35: stat_classes", "after the drain"})
    EXPECT_TRUE(HasLine(r.out, std::string("== ") + point + ": pre and post agree")) << point << "\n"
                                                                                     << r.out;
  // debugfs's header line, once per point, and the totals.
  const std::regex header(
      "\n  +class +size +10% +20% .* obj_allocated +obj_used +pages_used +pages_per_zspage +freeable\n");
  EXPECT_EQ(std::distance(std::sregex_iterator(r.out.begin(), r.out.end(), header), std::sregex_iterator()),
            4)
      << r.out;
  for (const char* total :
       {"zs_get_total_pages", "pages_compacted", "NR_ZSPAGES", "pages in use", "shrinker count"})
    EXPECT_TRUE(HasLine(r.out, std::string("  ") + total + ": [0-9]+")) << total << "\n" << r.out;
  // The program frees every object: after the drain the pool holds nothing, and
  // compaction (zs_compact, then the shrinker's scan) freed 2 pages.
  EXPECT_NE(
      r.out.find("== after the drain: pre and post agree\n  zs_get_total_pages: 0\n  pages_compacted: 2\n"
                 "  NR_ZSPAGES: 0\n  pages in use: 0\n  shrinker count: 0\n"),
      std::string::npos)
      << r.out;
  EXPECT_TRUE(HasLine(r.out, "verdict: clean")) << r.out;
}

// mut-pages-leak forgets pages_allocated -= pages_per_zspage in zs_free: after
// the drain it still counts the freed zspage's page.
TEST(ZsfuzzReproDump, MarksWhereTheTwoVariantsDiffer) {
  const ToolRun r = RunZsfuzz({"repro", kCompactAfterFrees, "--dump", "--variants", "post,mut-pages-leak"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(
      HasLine(r.out, "== after the drain: post and mut-pages-leak DIFFER \\(2 line\\(s\\) marked - / \\+\\)"))
      << r.out;
  const size_t at = r.out.find("== after the drain");
  ASSERT_NE(at, std::string::npos);
  // The leaked zspage's 2 pages stay in pages_allocated; NR_ZSPAGES and the
  // page allocator know they went, so those lines agree and show once.
  EXPECT_EQ(r.out.substr(at, r.out.find("   class", at) - at),
            "== after the drain: post and mut-pages-leak DIFFER (2 line(s) marked - / +)\n"
            "- zs_get_total_pages: 0\n+ zs_get_total_pages: 2\n  pages_compacted: 2\n  NR_ZSPAGES: 0\n"
            "  pages in use: 0\n  shrinker count: 0\n");
}

// Several threads: a stat op shows what it read mid-run.
TEST(ZsfuzzReproDump, ConcurrentStatOpsShowWhatTheyRead) {
  const std::string file = WriteFile("conc_dump.txt",
                                     "threads 2\nt0: malloc 100 -> a ; stat_pages ; free a\n"
                                     "t1: malloc 3000 -> b ; stat_pool ; stat_classes ; free b\n");
  const ToolRun r = RunZsfuzz({"repro", file, "--dump"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(HasLine(r.out, "== t0 op 1: stat_pages \\(mid-run: what the op read\\): pre and post agree"))
      << r.out;
  EXPECT_TRUE(HasLine(r.out, "== t1 op 1: stat_pool \\(mid-run: what the op read\\): pre and post agree"))
      << r.out;
  EXPECT_TRUE(HasLine(r.out, "== t1 op 2: stat_classes \\(mid-run: what the op read\\): pre and post agree"))
      << r.out;
  EXPECT_TRUE(HasLine(r.out, "== after the drain: pre and post agree")) << r.out;
  std::remove(file.c_str());
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ZS_TEST_SANITIZED 1
#endif
#endif

// Issue 8, trap b: a check that kills its process showed only the signal's
// exit status. The crash here is real and needs no hook: under a 120 MB
// address-space limit the simulated kernel cannot map its 256 MiB page arena
// and BUG()s outside any scheduler run, which abort()s (SIGABRT).
TEST(ZsfuzzReproCrash, ACrashedCheckIsAFindingWithVerdictAndSignature) {
#ifdef ZS_TEST_SANITIZED
  GTEST_SKIP() << "sanitizers reserve far more address space than the limit this crash needs";
#endif
  const ToolRun r = RunBinary("/bin/sh", {"-c", "ulimit -v 120000 && exec \"$0\" \"$@\"", ZSFUZZ_BIN, "repro",
                                          ZS_SOURCE_DIR "/corpus/diff_seq/compact_after_frees.txt"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\nverdict: FINDING crash: SIGABRT\nsignature: crash:SIGABRT\n"), std::string::npos)
      << r.out << r.err;
  // The child's report still reaches stderr.
  EXPECT_NE(r.err.find("BUG: page_arena_init: mmap of the arena failed"), std::string::npos) << r.err;
  // Without the limit the same file is clean: the crash is the limit's.
  const ToolRun clean = RunZsfuzz({"repro", ZS_SOURCE_DIR "/corpus/diff_seq/compact_after_frees.txt"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

}  // namespace
}  // namespace zsfuzz_test
