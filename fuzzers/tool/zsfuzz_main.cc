// zsfuzz: the command-line tool. Dispatches subcommands (their flags are
// flags.def's), and turns every usage error into one line on stderr and exit
// status 2.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "fuzzers/campaign/corpus.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
// A data race is a finding like any other: exit status 1, not TSan's 66.
extern "C" const char* __tsan_default_options() { return "exitcode=1"; }
#endif
#endif

namespace {

using zsfuzz::Subcommand;

const std::vector<const Subcommand*>& Commands() {
  static const std::vector<const Subcommand*> commands = {
      &zsfuzz::ListCommand(),     &zsfuzz::ClassesCommand(),   &zsfuzz::StressCommand(),
      &zsfuzz::PrintCommand(),    &zsfuzz::EncodeCommand(),    &zsfuzz::RunCommand(),
      &zsfuzz::ReproCommand(),    &zsfuzz::MinimizeCommand(),  &zsfuzz::BenchCommand(),
      &zsfuzz::MutantsCommand(),  &zsfuzz::CorpusCommand(),    &zsfuzz::GateCommand(),
      &zsfuzz::CoverageCommand(), &zsfuzz::FuzzChildCommand(),
  };
  return commands;
}

const Subcommand* FindCommand(const char* name) {
  for (const Subcommand* cmd : Commands()) {
    if (std::strcmp(cmd->name, name) == 0) return cmd;
  }
  return nullptr;
}

std::string CommandNames() {
  std::string names;
  for (const Subcommand* cmd : Commands())
    if (!cmd->hidden) names += (names.empty() ? "" : ", ") + std::string(cmd->name);
  return names;
}

void PrintUsage() {
  std::printf(
      "usage: zsfuzz <command> [flags]\n"
      "       zsfuzz help [<command>]    or    zsfuzz <command> --help\n\n"
      "Differential fuzzing and stress testing of zsmalloc variants on a simulated kernel.\n\n"
      "commands:\n");
  for (const Subcommand* cmd : Commands())
    if (!cmd->hidden) std::printf("  %-8s  %s\n", cmd->name, cmd->summary);
  std::printf("\nexit status: 0 clean, 1 finding, 2 usage or input error\n");
}

int UsageError(const std::string& message) {
  // One line, whatever the message holds.
  std::fprintf(stderr, "zsfuzz: error: %s\n", absl::StrReplaceAll(message, {{"\n", "; "}}).c_str());
  return zsfuzz::kExitUsage;
}

int UnknownCommand(const char* name) {
  return UsageError("unknown command '" + std::string(name) + "'; commands: " + CommandNames() +
                    " (see 'zsfuzz help')");
}

}  // namespace

int main(int argc, char** argv) {
  // libFuzzer's own subprocesses (corpus merge's inner runs) start zsfuzz
  // with libFuzzer's command line; the environment says so (corpus.h).
  if (const char* target = std::getenv(zsfuzz::kLibFuzzerChildEnv); target != nullptr) {
    const std::optional<zsfuzz::targets::TargetKind> kind = zsfuzz::targets::ParseTargetKind(target);
    if (!kind)
      return UsageError(std::string(zsfuzz::kLibFuzzerChildEnv) + "='" + target + "': use seq or conc");
    zsfuzz::AcceptSeededMutants();
    zsfuzz::RunLibFuzzerChild(*kind, argc, argv);
  }
  if (argc < 2) return UsageError("no command given; commands: " + CommandNames() + " (see 'zsfuzz help')");
  const char* first = argv[1];
  if (std::strcmp(first, "help") == 0 || std::strcmp(first, "--help") == 0 || std::strcmp(first, "-h") == 0) {
    if (argc > 3) return UsageError("'zsfuzz help' takes at most one command name");
    if (argc == 3) {
      const Subcommand* cmd = FindCommand(argv[2]);
      if (cmd == nullptr) return UnknownCommand(argv[2]);
      std::fputs(zsfuzz::FormatCommandHelp(*cmd).c_str(), stdout);
      return zsfuzz::kExitClean;
    }
    PrintUsage();
    return zsfuzz::kExitClean;
  }
  const Subcommand* cmd = FindCommand(first);
  if (cmd == nullptr) return UnknownCommand(first);

  bool help = false;
  if (absl::Status s = zsfuzz::ParseCommandFlags(*cmd, argc, argv, 2, &help); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  if (help) {
    std::fputs(zsfuzz::FormatCommandHelp(*cmd).c_str(), stdout);
    return zsfuzz::kExitClean;
  }
  absl::StatusOr<int> rc = cmd->run();
  if (!rc.ok()) return UsageError(std::string(rc.status().message()));
  return *rc;
}
