// File: subcommand.h
//
// A zsfuzz subcommand: its name, help text, the flags it accepts and the
// function that runs it. zsfuzz_main.cc keeps the table; each cmd_<name>.cc
// defines one entry.
#pragma once

#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace zsfuzz {

// Exit codes, the same for every subcommand.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFinding = 1;
inline constexpr int kExitUsage = 2;

struct Subcommand {
  const char* name;
  const char* summary;   // one line for `zsfuzz help`
  const char* synopsis;  // the arguments after the name, for usage lines
  const char* details;   // a paragraph for `zsfuzz <name> --help`
  // Abseil names of the flags it accepts ("no_migrate" is given as --no-migrate).
  std::vector<const char*> flags;
  // Runs with the flags already set. Returns kExitClean or kExitFinding, or
  // an InvalidArgument status whose message is the one-line usage error.
  absl::StatusOr<int> (*run)();
  // Positional arguments (a FILE): at least min_args, at most max_args; the
  // run function reads them with CommandArgs() (flags.h).
  int min_args = 0;
  int max_args = 0;
  // Short spellings: {"-o", "out"} makes `-o X` mean `--out X`.
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

}  // namespace zsfuzz
