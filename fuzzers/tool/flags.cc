#include "fuzzers/tool/flags.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "fuzzers/tool/flag_table.h"

namespace zsfuzz {
namespace {

std::string AcceptedList(const Subcommand& cmd) {
  const std::vector<const FlagInfo*> flags = FlagsOf(cmd.bit);
  if (flags.empty()) return "it takes no flags";
  std::vector<std::string> names;
  names.reserve(flags.size());
  for (const FlagInfo* f : flags) names.push_back(FlagDisplayName(f->name));
  return absl::StrCat("it takes ", absl::StrJoin(names, ", "));
}

// What a value of this flag looks like, for error messages.
const char* ValueKind(const FlagInfo& flag) {
  switch (flag.type) {
    case FlagType::kBool:
      return "true or false";
    case FlagType::kUint32:
      return "an unsigned integer below 2^32";
    case FlagType::kUint64:
      return "an unsigned integer below 2^64";
    case FlagType::kDouble:
      return "a number";
    case FlagType::kString:
      break;
  }
  return "a value";
}

std::vector<std::string>& Args() {
  static auto* args = new std::vector<std::string>;
  return *args;
}

// The table name a short spelling ("-o") stands for in `cmd`, or null.
const char* ShortFlag(const Subcommand& cmd, absl::string_view arg) {
  for (const auto& [spelling, name] : cmd.short_flags)
    if (arg == spelling) return name;
  return nullptr;
}

}  // namespace

std::string FlagDisplayName(absl::string_view name) {
  return absl::StrCat("--", absl::StrReplaceAll(name, {{"_", "-"}}));
}

absl::Status ParseCommandFlags(const Subcommand& cmd, int argc, char** argv, int first, bool* help) {
  *help = false;
  Args().clear();
  for (int i = first; i < argc; i++) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return absl::OkStatus();
    }
    std::string expanded;
    if (const char* name = ShortFlag(cmd, arg)) {
      expanded = absl::StrCat("--", name);
      arg = expanded;
    } else if (arg.empty() || arg[0] != '-') {
      if (static_cast<int>(Args().size()) < cmd.max_args) {
        Args().emplace_back(arg);
        continue;
      }
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrFormat("unexpected argument '%s' for '%s'; flags start with "
                          "--, see 'zsfuzz %s --help'",
                          arg, cmd.name, cmd.name));
    }
    const size_t eq = arg.find('=');
    const absl::string_view given = arg.substr(0, eq);
    const std::string name = absl::StrReplaceAll(given.substr(2), {{"-", "_"}});
    const FlagInfo* flag = FindFlag(name);
    if (flag == nullptr || (flag->commands & cmd.bit) == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s %s %s '%s'; %s (see 'zsfuzz %s --help')", flag ? "flag" : "unknown flag", given,
                          flag ? "does not apply to" : "for", cmd.name, AcceptedList(cmd), cmd.name));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->type == FlagType::kBool) {
      value = "true";
    } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrFormat("flag %s needs a value (%s=VALUE), %s", given, given, ValueKind(*flag)));
    }
    if (!flag->set(value)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad value '%s' for %s: expected %s", value, given, ValueKind(*flag)));
    }
  }
  if (static_cast<int>(Args().size()) < cmd.min_args) {
    return absl::InvalidArgumentError(absl::StrFormat("'%s' needs %s (usage: zsfuzz %s %s)", cmd.name,
                                                      cmd.min_args == 1 ? "an argument" : "more arguments",
                                                      cmd.name, cmd.synopsis));
  }
  return absl::OkStatus();
}

const std::vector<std::string>& CommandArgs() { return Args(); }

std::string FormatCommandHelp(const Subcommand& cmd) {
  std::string out = absl::StrFormat("usage: zsfuzz %s%s%s\n\n%s\n", cmd.name, cmd.synopsis[0] ? " " : "",
                                    cmd.synopsis, cmd.summary);
  if (cmd.details[0] != '\0') absl::StrAppend(&out, "\n", cmd.details, "\n");
  const std::vector<const FlagInfo*> flags = FlagsOf(cmd.bit);
  if (!flags.empty()) out += "\nflags:\n";
  for (const FlagInfo* flag : flags) {
    absl::StrAppendFormat(&out, "  %s (default %s)\n      %s\n", FlagDisplayName(flag->name),
                          flag->default_text, flag->help);
  }
  out += "\nexit status: 0 clean, 1 finding, 2 usage or input error\n";
  return out;
}

absl::Status CheckFlagRange(absl::string_view name, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("%s %u is out of range; use a value in %u..%u", FlagDisplayName(name), value, lo, hi));
}

}  // namespace zsfuzz
