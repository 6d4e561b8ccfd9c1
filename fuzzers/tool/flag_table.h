// File: flag_table.h
//
// The zsfuzz tool's flags, generated from the one table in flags.def: their
// typed values, and for the parser and the help their names, types,
// defaults, help texts and the commands that accept them.
//
// Why no Abseil flags: the table already holds everything ABSL_FLAG would
// (type, default, help), and zsfuzz never used Abseil's parser (flags.h walks
// argv itself for one-line errors and per-command flags). Abseil's registry
// would be a second copy of the names, looked up by string at run time; here
// a command reads Flags().seed, checked by the compiler, and the per-command
// lists come from the same row as the value.
//
// Example:
//   if (Flags().deterministic) ...;                   // after ParseCommandFlags
//   for (const FlagInfo* f : FlagsOf(kCmdStress)) ...  // stress's flags, in table order
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace zsfuzz {

// One bit per command, for the table's commands column (Subcommand::bit).
enum CommandBit : uint32_t {
  kCmdList = 1u << 0,
  kCmdClasses = 1u << 1,
  kCmdStress = 1u << 2,
  kCmdPrint = 1u << 3,
  kCmdEncode = 1u << 4,
  kCmdRun = 1u << 5,
  kCmdRepro = 1u << 6,
  kCmdMinimize = 1u << 7,
  kCmdFuzzChild = 1u << 8,
  kCmdBench = 1u << 9,
  kCmdMutants = 1u << 10,
  kCmdCorpus = 1u << 11,
  kCmdGate = 1u << 12,
  kCmdCoverage = 1u << 13,
};

// Every flag's value: the table's default until the command line sets it.
struct FlagValues {
#define ZS_FLAG(name, type, default_value, commands, help) type name = default_value;
#include "fuzzers/tool/flags.def"
};

// The values the command line set (ParseCommandFlags, flags.h).
const FlagValues& Flags();
FlagValues& MutableFlags();

enum class FlagType { kBool, kUint32, kUint64, kDouble, kString };

// One row of the table.
struct FlagInfo {
  const char* name;  // "no_migrate"
  FlagType type;
  const char* default_text;  // the default as the table spells it: false, 8, 3.0, "pre,post"
  uint32_t commands;         // CommandBit mask
  const char* help;
  // Parses `text` into the flag's member of MutableFlags(); false if it is
  // not a value of the flag's type (the member is then unchanged).
  bool (*set)(absl::string_view text);
};

// Every row, in table order.
const std::vector<FlagInfo>& AllFlags();

// The row called `name` ("no_migrate"), or null.
const FlagInfo* FindFlag(absl::string_view name);

// The rows whose commands include `command`, in table order.
std::vector<const FlagInfo*> FlagsOf(CommandBit command);

}  // namespace zsfuzz
