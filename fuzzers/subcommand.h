// File: subcommand.h
//
// A zsfuzz subcommand: its name, help text, the flags it accepts and the
// function that runs it. zsfuzz_main.cc keeps the table; each cmd_<name>.cc
// defines one entry.
#pragma once

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
};

const Subcommand& ListCommand();
const Subcommand& ClassesCommand();
const Subcommand& StressCommand();

}  // namespace zsfuzz
