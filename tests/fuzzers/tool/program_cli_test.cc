// `zsfuzz print` and `zsfuzz encode`, run as the user runs them.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "oracle/program/binary.h"
#include "oracle/program/prng.h"
#include "oracle/program/text.h"
#include "tests/fuzzers/tool/run_tool.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz {
namespace {

using zsfuzz_test::kDesignExample;
using zsfuzz_test::kRichProgram;
using zsfuzz_test::MustParse;
using zsfuzz_test::RunZsfuzz;
using zsfuzz_test::ToolRun;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "zsfuzz_cli_" + std::to_string(getpid()) + "_" + name;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string WriteBytes(const std::string& name, const std::vector<uint8_t>& bytes) {
  return WriteFile(name, std::string(bytes.begin(), bytes.end()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PrintCliTest, BinaryPrintsAsCanonicalText) {
  const std::string bin = WriteBytes("design.bin", EncodeProgram(MustParse(kDesignExample)));
  const ToolRun run = RunZsfuzz({"print", bin});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, kDesignExample);
  // The form it read goes to stderr: stdout is the text alone.
  EXPECT_EQ(run.err, "read: " + bin + " (binary, " +
                         std::to_string(EncodeProgram(MustParse(kDesignExample)).size()) + " bytes)\n");
}

TEST(PrintCliTest, TextIsReprintedCanonically) {
  const std::string txt = WriteFile("loose.txt",
                                    "# zsfuzz program v1\n"
                                    "# a comment\n"
                                    "threads 1\n\n"
                                    "t0: malloc 4097->big;free big   # trailing comment\n");
  const ToolRun run = RunZsfuzz({"print", txt});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "# zsfuzz program v1\nthreads 1\nt0: malloc 4097 -> a ; free a\nschedule random seed=0\n");
  EXPECT_EQ(run.err, "read: " + txt + " (text)\n");
}

// A text without the header (issue 8 trap a) was decoded as binary: some
// unrelated program. Printable ASCII whose first statement is `threads` is
// the text it looks like.
TEST(PrintCliTest, TextWithoutTheHeaderIsText) {
  const std::string txt = WriteFile("headerless.txt", "threads 1\nt0: malloc 100 -> a ; free a\n");
  const ToolRun run = RunZsfuzz({"print", txt});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "# zsfuzz program v1\nthreads 1\nt0: malloc 100 -> a ; free a\nschedule random seed=0\n");
  EXPECT_EQ(run.err, "read: " + txt + " (text without the '# zsfuzz program v1' header)\n");
  // Comments and blank lines before `threads` too.
  const std::string commented =
      WriteFile("headerless2.txt", "# mine\n\n  threads 2\nt0: flush\nt1: compact\n");
  const ToolRun run2 = RunZsfuzz({"print", commented});
  EXPECT_EQ(run2.exit_code, 0) << run2.err;
  EXPECT_EQ(MustParse(run2.out).threads.size(), 2u) << run2.out;
}

TEST(PrintCliTest, BadTextWithoutTheHeaderIsOneLine) {
  const std::string txt = WriteFile("headerless_bad.txt", "threads 1\nt0: mallc 100 -> a\n");
  ExpectOneLineError(RunZsfuzz({"print", txt}), txt + ":2:5: unknown op 'mallc'");
}

TEST(PrintCliTest, PrintableBytesNotStartingWithThreadsStayBinary) {
  const std::string bin = WriteFile("printable.bin", "t0: malloc 100 -> a\nthreads 1\n");
  const ToolRun run = RunZsfuzz({"print", bin});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "read: " + bin + " (binary, 30 bytes)\n");
  const std::string text = "t0: malloc 100 -> a\nthreads 1\n";
  EXPECT_EQ(MustParse(run.out), DecodeProgram(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

TEST(PrintCliTest, AnyBytesPrintAValidProgram) {
  EXPECT_EQ(RunZsfuzz({"print", WriteFile("empty.bin", "")}).out,
            "# zsfuzz program v1\nthreads 1\nt0:\nschedule random seed=0\n");
  Prng rng(77);
  std::string noise(300, '\0');
  for (char& c : noise) c = static_cast<char>(rng.Next());
  noise[0] = 0x0b;  // not '#': binary
  const ToolRun run = RunZsfuzz({"print", WriteFile("noise.bin", noise)});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const Program p = MustParse(run.out);
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(p, DecodeProgram(reinterpret_cast<const uint8_t*>(noise.data()), noise.size()));
}

TEST(PrintCliTest, BadTextIsOneLineWithFileLineColumn) {
  const std::string txt = WriteFile("bad.txt", "# zsfuzz program v1\nthreads 1\nt0: mallc 10 -> a\n");
  ExpectOneLineError(RunZsfuzz({"print", txt}),
                     txt + ":3:5: unknown op 'mallc', expected one of malloc, free");
}

TEST(PrintCliTest, UnreadableFileIsOneLine) {
  const std::string missing = TempPath("does_not_exist.bin");
  ExpectOneLineError(RunZsfuzz({"print", missing}), "cannot read " + missing + ": No such file or directory");
}

TEST(PrintCliTest, NeedsExactlyOneFile) {
  ExpectOneLineError(RunZsfuzz({"print"}), "'print' needs");
  const std::string bin = WriteFile("one.bin", "");
  ExpectOneLineError(RunZsfuzz({"print", bin, bin}), "unexpected argument");
}

TEST(EncodeCliTest, TextEncodesToTheCanonicalBytes) {
  const std::string txt = WriteFile("rich.txt", kRichProgram);
  const std::string out = TempPath("rich.bin");
  const ToolRun run = RunZsfuzz({"encode", txt, "-o", out});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
  const std::vector<uint8_t> want = EncodeProgram(MustParse(kRichProgram));
  EXPECT_EQ(ReadFile(out), std::string(want.begin(), want.end()));
  // And back: print of the encoding is the canonical text.
  EXPECT_EQ(RunZsfuzz({"print", out}).out, PrintProgram(MustParse(kRichProgram)));
  // --out is the long spelling of -o.
  const std::string out2 = TempPath("rich2.bin");
  EXPECT_EQ(RunZsfuzz({"encode", txt, "--out", out2}).exit_code, 0);
  EXPECT_EQ(ReadFile(out2), ReadFile(out));
}

TEST(EncodeCliTest, HeaderIsOptional) {
  const std::string txt = WriteFile("bare.txt", "threads 2\nt0: compact\nt1: flush\nschedule rr\n");
  const std::string out = TempPath("bare.bin");
  ASSERT_EQ(RunZsfuzz({"encode", txt, "-o", out}).exit_code, 0);
  EXPECT_EQ(RunZsfuzz({"print", out}).out,
            "# zsfuzz program v1\nthreads 2\nt0: compact\nt1: flush\nschedule rr\n");
}

TEST(EncodeCliTest, BadTextIsOneLineWithFileLineColumn) {
  const std::string txt = WriteFile("slot.txt", "threads 2\nt0: malloc 1 -> a\nt1: free a\n");
  const std::string out = TempPath("slot.bin");
  ExpectOneLineError(RunZsfuzz({"encode", txt, "-o", out}), txt + ":3:10: slot 'a' belongs to t0");
  EXPECT_FALSE(std::ifstream(out).good()) << "no output for a bad input";
  const std::string many = WriteFile("many.txt", "threads 9\n");
  ExpectOneLineError(RunZsfuzz({"encode", many, "-o", out}), many + ":1:9: too many threads");
  const std::string sched = WriteFile("sched.txt", "threads 1\nt0:\nschedule pct depth=0\n");
  ExpectOneLineError(RunZsfuzz({"encode", sched, "-o", out}),
                     sched + ":3:14: schedule: pct depth must be 1..64");
}

TEST(EncodeCliTest, UsageErrorsAreOneLine) {
  const std::string txt = WriteFile("ok.txt", kDesignExample);
  ExpectOneLineError(RunZsfuzz({"encode", txt}), "'encode' needs -o FILE");
  ExpectOneLineError(RunZsfuzz({"encode", "-o", TempPath("x.bin")}), "'encode' needs");
  ExpectOneLineError(RunZsfuzz({"encode", txt, "-o", "/nonexistent-dir/x.bin"}),
                     "cannot write /nonexistent-dir/x.bin: No such file or directory");
  const std::string bin = WriteBytes("bin.bin", EncodeProgram(MustParse(kDesignExample)));
  ExpectOneLineError(RunZsfuzz({"encode", bin, "-o", TempPath("y.bin")}), bin + " is not a text program");
  ExpectOneLineError(RunZsfuzz({"encode", TempPath("missing.txt"), "-o", TempPath("z.bin")}), "cannot read ");
}

TEST(CliHelpTest, PrintAndEncodeAreListed) {
  const ToolRun help = RunZsfuzz({"help"});
  EXPECT_NE(help.out.find("print"), std::string::npos);
  EXPECT_NE(help.out.find("encode"), std::string::npos);
  const ToolRun encode = RunZsfuzz({"encode", "--help"});
  EXPECT_EQ(encode.exit_code, 0);
  EXPECT_EQ(encode.out.rfind("usage: zsfuzz encode TEXTFILE -o FILE", 0), 0u) << encode.out;
}

}  // namespace
}  // namespace zsfuzz
