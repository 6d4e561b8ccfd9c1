// File: flags.h
//
// zsfuzz's command-line parser and help, over the flag table (flags.def,
// flag_table.h). zsfuzz's rule is one line on stderr and exit status 2 for a
// bad command line, and flags that exist but do not apply to the subcommand
// are errors too, naming the flags it takes.
//
// Accepted forms: --flag=value, --flag value, --bool-flag (and
// --bool-flag=true|false). Dashes and underscores in names are equivalent:
// --no-migrate sets the table's no_migrate. A command's short spellings
// (-o X) and positional arguments (FILE) are taken as its Subcommand says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fuzzers/tool/subcommand.h"

namespace zsfuzz {

// Sets the flags in argv[first, argc) for `cmd`. On --help or -h sets *help
// and stops. Any error is an InvalidArgument status with a one-line message
// saying what is wrong and how to fix it; a flag of the table that `cmd`
// does not take is "does not apply", any other "unknown".
absl::Status ParseCommandFlags(const Subcommand& cmd, int argc, char** argv, int first, bool* help);

// The positional arguments of the last ParseCommandFlags call, in order.
const std::vector<std::string>& CommandArgs();

// "no_migrate" -> "--no-migrate": how users spell a flag.
std::string FlagDisplayName(absl::string_view name);

// Usage text for `zsfuzz <cmd> --help`: synopsis, details, and each of the
// command's flags (FlagsOf(cmd.bit), table order) with its default and help.
std::string FormatCommandHelp(const Subcommand& cmd);

// InvalidArgument unless lo <= value <= hi, naming the flag and the range.
absl::Status CheckFlagRange(absl::string_view name, uint64_t value, uint64_t lo, uint64_t hi);

}  // namespace zsfuzz
