// zsfuzz repro's file reading and reports: the form it read (a text without
// the header is text, not some binary program), and a crash of the check
// reported as a finding with a verdict and a signature.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
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
