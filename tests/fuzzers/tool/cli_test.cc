// The zsfuzz command line: what each subcommand prints, and the usage-error
// rule (exit 2, nothing on stdout, exactly one "zsfuzz: error:" line).
#include <regex>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"
#include "gtest/gtest.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

TEST(ZsfuzzList, PrintsEveryVariantWithItsDescription) {
  const ToolRun run = RunZsfuzz({"list"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  const std::vector<std::string> lines = run.OutLines();
  ASSERT_EQ(lines.size(), count) << run.out;
  for (size_t i = 0; i < count; i++) {
    // "<name><2+ spaces><description>", names padded to one column.
    const std::string name = all[i]->name;
    const std::string desc = all[i]->description;
    const std::string& line = lines[i];
    ASSERT_GE(line.size(), name.size() + 2 + desc.size()) << line;
    EXPECT_EQ(line.substr(0, name.size()), name) << line;
    EXPECT_EQ(line.substr(line.size() - desc.size()), desc) << line;
    const std::string gap = line.substr(name.size(), line.size() - desc.size() - name.size());
    EXPECT_EQ(gap.find_first_not_of(' '), std::string::npos) << line;
    EXPECT_EQ(line.find(desc), lines[0].find(all[0]->description))
        << "descriptions not in one column: " << line;
  }
}

TEST(ZsfuzzClasses, PreAndPostPrintTheSameTable) {
  const ToolRun pre = RunZsfuzz({"classes", "--variant", "pre"});
  const ToolRun post = RunZsfuzz({"classes", "--variant=post"});
  ASSERT_EQ(pre.exit_code, 0) << pre.err;
  ASSERT_EQ(post.exit_code, 0) << post.err;
  EXPECT_EQ(pre.out, post.out);
  const std::vector<std::string> lines = pre.OutLines();
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(
      std::regex_match(lines.back(), std::regex(R"(^indices 255 canonical [0-9]+ huge_class_size [0-9]+$)")))
      << lines.back();
}

TEST(ZsfuzzClasses, ChainSizeChangesTheGeometry) {
  const ToolRun chain4 = RunZsfuzz({"classes", "--variant", "post", "--chain", "4"});
  const ToolRun chain16 = RunZsfuzz({"classes", "--variant", "post", "--chain=16"});
  ASSERT_EQ(chain4.exit_code, 0) << chain4.err;
  ASSERT_EQ(chain16.exit_code, 0) << chain16.err;
  EXPECT_NE(chain4.OutLines().back(), chain16.OutLines().back());
}

TEST(ZsfuzzHelp, PrintsUsageOnStdoutAndExitsZero) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                                    {"help"},
                                                                                    {"help", "stress"},
                                                                                    {"stress", "--help"},
                                                                                    {"classes", "-h"},
                                                                                    {"list", "--help"}}) {
    const ToolRun run = RunZsfuzz(args);
    EXPECT_EQ(run.exit_code, 0) << args[0];
    EXPECT_EQ(run.err, "") << args[0];
    EXPECT_NE(run.out.find("usage: zsfuzz"), std::string::npos) << run.out;
  }
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* must_mention;  // the error line names the problem
};

class ZsfuzzUsageError : public ::testing::TestWithParam<UsageCase> {};

TEST_P(ZsfuzzUsageError, ExitsTwoWithOneErrorLine) {
  const UsageCase& c = GetParam();
  const ToolRun run = RunZsfuzz(c.args);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  const std::vector<std::string> lines = run.ErrLines();
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_EQ(lines[0].rfind("zsfuzz: error: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(c.must_mention), std::string::npos) << lines[0];
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ZsfuzzUsageError,
    ::testing::Values(
        UsageCase{"BadVariant", {"stress", "--variant", "no-such-variant", "--ops", "10"}, "post"},
        UsageCase{"MissingVariant", {"classes"}, "--variant"},
        UsageCase{"UnknownFlag", {"stress", "--variant", "post", "--frobnicate", "1"}, "--frobnicate"},
        UsageCase{"InapplicableFlag", {"classes", "--variant", "post", "--threads", "2"}, "--threads"},
        UsageCase{"MalformedNumber", {"stress", "--variant", "post", "--ops", "12x"}, "12x"},
        UsageCase{"NegativeNumber", {"stress", "--variant", "post", "--seed", "-3"}, "--seed"},
        UsageCase{"MissingValue", {"stress", "--variant", "post", "--threads"}, "--threads"},
        UsageCase{"ChainTooSmall", {"classes", "--variant", "post", "--chain", "3"}, "4..16"},
        UsageCase{"ChainTooBig", {"stress", "--variant", "post", "--chain=17"}, "4..16"},
        UsageCase{"ZeroThreads", {"stress", "--variant", "post", "--threads", "0"}, "--threads"},
        UsageCase{"BadBool", {"stress", "--variant", "post", "--no-migrate=perhaps"}, "--no-migrate"},
        UsageCase{"Positional", {"list", "extra"}, "extra"},
        UsageCase{"UnknownCommand", {"frobnicate"}, "frobnicate"}, UsageCase{"NoCommand", {}, "command"},
        UsageCase{"HelpForUnknownCommand", {"help", "frobnicate"}, "frobnicate"}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace zsfuzz_test
