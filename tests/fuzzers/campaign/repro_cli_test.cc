// zsfuzz repro's file reading and reports: the form it read (a text without
// the header is text, not some binary program).
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

}  // namespace
}  // namespace zsfuzz_test
