// The flag table (fuzzers/tool/flags.def) is the one source of every
// command's flags: `zsfuzz <command> --help` lists exactly the rows that
// name the command, in table order with the table's defaults; its usage line
// names no other flag; and each other flag of the table is refused with the
// "does not apply" error that lists exactly those flags.
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fuzzers/tool/flag_table.h"
#include "gtest/gtest.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::CommandBit;
using zsfuzz::FlagInfo;

struct Command {
  const char* name;
  CommandBit bit;
};

// The command's name, not its bytes, in ctest's test names.
void PrintTo(const Command& c, std::ostream* os) { *os << c.name; }

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"list", zsfuzz::kCmdList},   {"classes", zsfuzz::kCmdClasses},   {"stress", zsfuzz::kCmdStress},
      {"print", zsfuzz::kCmdPrint}, {"encode", zsfuzz::kCmdEncode},     {"run", zsfuzz::kCmdRun},
      {"repro", zsfuzz::kCmdRepro}, {"minimize", zsfuzz::kCmdMinimize}, {"fuzz-child", zsfuzz::kCmdFuzzChild},
      {"bench", zsfuzz::kCmdBench}, {"mutants", zsfuzz::kCmdMutants},   {"corpus", zsfuzz::kCmdCorpus},
      {"gate", zsfuzz::kCmdGate},   {"coverage", zsfuzz::kCmdCoverage},
  };
  return commands;
}

std::string Display(const FlagInfo* f) {
  std::string name = std::string("--") + f->name;
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

// "--x (default D)" lines of a help text, as "--x D".
std::vector<std::string> HelpFlags(const std::string& help) {
  std::vector<std::string> out;
  const std::regex line(R"(\n  (--[a-z-]+) \(default (.*)\)\n)");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), line); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str() + " " + (*it)[2].str());
  return out;
}

class FlagTableHelp : public ::testing::TestWithParam<Command> {};

TEST_P(FlagTableHelp, ListsExactlyTheTableRowsOfTheCommand) {
  const Command& c = GetParam();
  std::vector<std::string> want;
  for (const FlagInfo* f : zsfuzz::FlagsOf(c.bit)) want.push_back(Display(f) + " " + f->default_text);
  const ToolRun run = RunZsfuzz({c.name, "--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(HelpFlags(run.out), want) << run.out;
  // `zsfuzz help <command>` is the same text.
  EXPECT_EQ(RunZsfuzz({"help", c.name}).out, run.out);
}

TEST_P(FlagTableHelp, UsageLineNamesOnlyTheCommandsFlags) {
  const Command& c = GetParam();
  std::set<std::string> accepted;
  for (const FlagInfo* f : zsfuzz::FlagsOf(c.bit)) accepted.insert(Display(f));
  const ToolRun run = RunZsfuzz({c.name, "--help"});
  const std::string usage = run.out.substr(0, run.out.find('\n'));
  ASSERT_EQ(usage.rfind(std::string("usage: zsfuzz ") + c.name, 0), 0u) << usage;
  const std::regex flag("--[a-z-]+");
  for (auto it = std::sregex_iterator(usage.begin(), usage.end(), flag); it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(accepted.count(it->str())) << it->str() << " in " << usage;
}

TEST_P(FlagTableHelp, EveryOtherFlagIsRefusedListingTheCommandsFlags) {
  const Command& c = GetParam();
  std::string list;
  for (const FlagInfo* f : zsfuzz::FlagsOf(c.bit)) list += (list.empty() ? "" : ", ") + Display(f);
  const std::string takes = list.empty() ? "it takes no flags" : "it takes " + list + " (";
  for (const FlagInfo& f : zsfuzz::AllFlags()) {
    if (f.commands & c.bit) continue;
    const ToolRun run = RunZsfuzz({c.name, Display(&f) + "=1"});
    EXPECT_EQ(run.exit_code, 2) << c.name << " " << Display(&f);
    EXPECT_EQ(
        run.err.find("zsfuzz: error: flag " + Display(&f) + " does not apply to '" + c.name + "'; " + takes),
        0u)
        << run.err;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, FlagTableHelp, ::testing::ValuesIn(Commands()),
                         [](const ::testing::TestParamInfo<Command>& info) {
                           std::string n = info.param.name;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(FlagTable, EveryFlagBelongsToACommandAndEveryCommandHasABit) {
  uint32_t all_bits = 0;
  for (const Command& c : Commands()) all_bits |= c.bit;
  for (const FlagInfo& f : zsfuzz::AllFlags()) {
    EXPECT_NE(f.commands, 0u) << f.name;
    EXPECT_EQ(f.commands & ~all_bits, 0u) << f.name << " names a command the tool does not have";
  }
}

}  // namespace
}  // namespace zsfuzz_test
