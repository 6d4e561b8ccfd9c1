// zsfuzz: the command-line tool. Defines the flags, dispatches subcommands,
// and turns every usage error into one line on stderr and exit status 2.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_replace.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/zsfuzz_flags.h"

ABSL_FLAG(std::string, variant, "", "Variant to run, by name (see 'zsfuzz list'). Required.");
ABSL_FLAG(
    uint32_t, chain, 8,
    "CONFIG_ZSMALLOC_CHAIN_SIZE: the most pages one zspage may span, 4..16 (the kernel's default is 8).");
ABSL_FLAG(uint32_t, threads, 2, "Worker threads, 1..64.");
ABSL_FLAG(uint64_t, ops, 100000, "Random operations per thread; 0 runs only pool setup and teardown checks.");
ABSL_FLAG(uint64_t, seed, 1, "PRNG seed; the same seed gives the same per-thread op sequences (any value).");
ABSL_FLAG(uint32_t, pressure, 0,
          "Zone-lock pressure: extra yield points per page allocation or free under zone->lock, 0..10000; "
          "0 = none.");
ABSL_FLAG(bool, no_migrate, false, "Leave out page migration ops.");
ABSL_FLAG(bool, no_compact, false, "Leave out zs_compact and shrinker-scan ops.");
ABSL_FLAG(bool, progress, false,
          "Show progress on stderr about once a second even when stderr is not a terminal.");
ABSL_FLAG(
    bool, deterministic, false,
    "Run the threads as virtual threads of the deterministic scheduler: one at a time, switching only at "
    "yield points, so the same flags give the same interleaving and trace hash.");
ABSL_FLAG(std::string, strategy, "random",
          "With --deterministic: random (a random thread at every yield point), pct (PCT, depth 3) or rr "
          "(round robin); seeded with --seed.");
ABSL_FLAG(std::string, schedule, "",
          "With --deterministic: an exact schedule to replay instead of --strategy, in the text form "
          "zsfuzz prints (e.g. \"pct depth=2 seed=17\" or \"random seed=5 data=0,1,1\").");
ABSL_FLAG(bool, trace, false,
          "stress --deterministic: print every scheduling step, one per line, before the summary; repro: "
          "print the trace of the run the verdict is about.");
ABSL_FLAG(std::string, variants, "pre,post",
          "The two variants compared, A,B (see 'zsfuzz list'): A the reference, B the variant under test.");
ABSL_FLAG(uint32_t, time, 60,
          "Seconds the campaign runs, 1..604800; both targets run side by side for that long.");
ABSL_FLAG(std::string, out, "",
          "run: the directory findings are written to (default ./zsfuzz-findings, made when the first "
          "finding is); minimize: the file the minimized program is written to (default FILE.min.txt); "
          "encode: the binary program file to write (required).");
ABSL_FLAG(std::string, target, "",
          "run: the targets to fuzz, seq, conc or seq,conc (default both); repro, minimize: the check to "
          "run, seq (one thread, sequential differential) or conc (concurrent), by default seq for a "
          "one-thread program and conc for more.");

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
      &zsfuzz::ListCommand(),  &zsfuzz::ClassesCommand(),  &zsfuzz::StressCommand(),
      &zsfuzz::PrintCommand(), &zsfuzz::EncodeCommand(),   &zsfuzz::RunCommand(),
      &zsfuzz::ReproCommand(), &zsfuzz::MinimizeCommand(), &zsfuzz::FuzzChildCommand(),
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
  if (absl::Status s = zsfuzz::ParseCommandFlags(*cmd, Commands(), argc, argv, 2, &help); !s.ok()) {
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
