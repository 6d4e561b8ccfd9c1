// File: flags.h
//
// zsfuzz's own command-line parser over Abseil's flag registry. Abseil's
// ParseCommandLine() exits with status 1 and several lines on a bad flag;
// zsfuzz's rule is one line on stderr and exit status 2, and flags that exist
// but do not apply to the subcommand are errors too. So the parser walks argv
// itself and sets flags through absl::CommandLineFlag::ParseFrom().
//
// Accepted forms: --flag=value, --flag value, --bool-flag (and
// --bool-flag=true|false). Dashes and underscores in names are equivalent:
// --no-migrate sets the Abseil flag no_migrate. A command's short spellings
// (-o X) and positional arguments (FILE) are taken as its Subcommand says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "fuzzers/tool/subcommand.h"

namespace zsfuzz {

// Sets the flags in argv[first, argc) for `cmd`. On --help or -h sets *help
// and stops. Any error is an InvalidArgument status with a one-line message
// saying what is wrong and how to fix it. `all` (every subcommand) tells an
// inapplicable flag from an unknown one.
absl::Status ParseCommandFlags(const Subcommand& cmd, absl::Span<const Subcommand* const> all, int argc,
                               char** argv, int first, bool* help);

// The positional arguments of the last ParseCommandFlags call, in order.
const std::vector<std::string>& CommandArgs();

// "no_migrate" -> "--no-migrate": how users spell a flag.
std::string FlagDisplayName(absl::string_view absl_name);

// Usage text for `zsfuzz <cmd> --help`: synopsis, details, each flag's help
// and default.
std::string FormatCommandHelp(const Subcommand& cmd);

// InvalidArgument unless lo <= value <= hi, naming the flag and the range.
absl::Status CheckFlagRange(absl::string_view absl_name, uint64_t value, uint64_t lo, uint64_t hi);

}  // namespace zsfuzz
