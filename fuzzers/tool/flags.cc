#include "fuzzers/tool/flags.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace zsfuzz {
namespace {

std::string AcceptedList(const Subcommand& cmd) {
  if (cmd.flags.empty()) return "it takes no flags";
  std::vector<std::string> names;
  names.reserve(cmd.flags.size());
  for (const char* f : cmd.flags) names.push_back(FlagDisplayName(f));
  return absl::StrCat("it takes ", absl::StrJoin(names, ", "));
}

// What a value of this flag looks like, for error messages.
const char* ValueKind(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "true or false";
  if (flag.IsOfType<uint32_t>()) return "an unsigned integer below 2^32";
  if (flag.IsOfType<uint64_t>()) return "an unsigned integer below 2^64";
  if (flag.IsOfType<int32_t>() || flag.IsOfType<int64_t>()) return "an integer";
  return "a value";
}

std::vector<std::string>& Args() {
  static auto* args = new std::vector<std::string>;
  return *args;
}

// The Abseil name a short spelling ("-o") stands for in `cmd`, or null.
const char* ShortFlag(const Subcommand& cmd, absl::string_view arg) {
  for (const auto& [spelling, name] : cmd.short_flags)
    if (arg == spelling) return name;
  return nullptr;
}

bool Accepts(const Subcommand& cmd, absl::string_view absl_name) {
  return std::any_of(cmd.flags.begin(), cmd.flags.end(), [&](const char* f) { return absl_name == f; });
}

}  // namespace

std::string FlagDisplayName(absl::string_view absl_name) {
  return absl::StrCat("--", absl::StrReplaceAll(absl_name, {{"_", "-"}}));
}

absl::Status ParseCommandFlags(const Subcommand& cmd, absl::Span<const Subcommand* const> all, int argc,
                               char** argv, int first, bool* help) {
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
    absl::CommandLineFlag* flag = Accepts(cmd, name) ? absl::FindCommandLineFlag(name) : nullptr;
    if (flag == nullptr) {
      const bool elsewhere =
          std::any_of(all.begin(), all.end(), [&](const Subcommand* other) { return Accepts(*other, name); });
      if (elsewhere) {
        return absl::InvalidArgumentError(
            absl::StrFormat("flag %s does not apply to '%s'; %s (see 'zsfuzz %s --help')", given, cmd.name,
                            AcceptedList(cmd), cmd.name));
      }
      return absl::InvalidArgumentError(
          absl::StrFormat("unknown flag %s for '%s'; %s (see 'zsfuzz %s --help')", given, cmd.name,
                          AcceptedList(cmd), cmd.name));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrFormat("flag %s needs a value (%s=VALUE), %s", given, given, ValueKind(*flag)));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
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
  if (!cmd.flags.empty()) out += "\nflags:\n";
  for (const char* name : cmd.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::string def = flag->DefaultValue();
    if (flag->IsOfType<std::string>()) def = absl::StrCat("\"", def, "\"");
    absl::StrAppendFormat(&out, "  %s (default %s)\n      %s\n", FlagDisplayName(name), def, flag->Help());
  }
  out += "\nexit status: 0 clean, 1 finding, 2 usage or input error\n";
  return out;
}

absl::Status CheckFlagRange(absl::string_view absl_name, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat("%s %u is out of range; use a value in %u..%u",
                                                    FlagDisplayName(absl_name), value, lo, hi));
}

}  // namespace zsfuzz
