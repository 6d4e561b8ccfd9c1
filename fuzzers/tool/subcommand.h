// File: subcommand.h
//
// A zsfuzz subcommand: its name, help text, its bit in the flag table
// (flags.def: the flags it accepts) and the function that runs it.
// zsfuzz_main.cc keeps the list; each cmd_<name>.cc defines one entry.
#pragma once

#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "fuzzers/tool/flag_table.h"

namespace zsfuzz {

// Exit codes, the same for every subcommand.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFinding = 1;
inline constexpr int kExitUsage = 2;

struct Subcommand {
  const char* name;
  const char* summary;  // one line for `zsfuzz help`
  // The arguments after the name, for usage lines. Written by hand: it shows
  // what the table cannot (required flags, alternatives, nesting); a test
  // checks that it names only flags the table gives the command.
  const char* synopsis;
  const char* details;  // a paragraph for `zsfuzz <name> --help`
  // The command's bit in flags.def's commands column: it accepts the rows
  // that have it (FlagsOf(bit)).
  CommandBit bit;
  // Runs with the flags already set. Returns kExitClean or kExitFinding, or
  // an InvalidArgument status whose message is the one-line usage error.
  absl::StatusOr<int> (*run)();
  // Positional arguments (a FILE): at least min_args, at most max_args; the
  // run function reads them with CommandArgs() (flags.h).
  int min_args = 0;
  int max_args = 0;
  // Short spellings: {"-o", "out"} makes `-o X` mean `--out X` (a flags.def name).
  std::vector<std::pair<const char*, const char*>> short_flags = {};
  // Internal (the campaign's child processes): left out of `zsfuzz help`.
  bool hidden = false;
};

const Subcommand& ListCommand();
const Subcommand& ClassesCommand();
const Subcommand& StressCommand();
const Subcommand& PrintCommand();
const Subcommand& EncodeCommand();
const Subcommand& RunCommand();
const Subcommand& ReproCommand();
const Subcommand& MinimizeCommand();
const Subcommand& FuzzChildCommand();
const Subcommand& BenchCommand();
const Subcommand& MutantsCommand();
const Subcommand& CorpusCommand();
const Subcommand& GateCommand();
const Subcommand& CoverageCommand();

}  // namespace zsfuzz
