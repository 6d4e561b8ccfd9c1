// `zsfuzz run`: the differential campaign (campaign.h), and its hidden child
// command `zsfuzz fuzz-child`, which runs one target under libFuzzer.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "fuzzers/campaign/campaign.h"
#include "fuzzers/targets/diff_target.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

// The program mutator's libFuzzer hooks, for the fuzz children:
// targets/mutator_hooks.cc, compiled into zsfuzz.

namespace zsfuzz {
namespace {

constexpr uint32_t kMaxSeconds = 7 * 24 * 3600;
constexpr uint32_t kMaxJobs = 256;

absl::StatusOr<targets::VariantPair> VariantsFromFlag() {
  AcceptSeededMutants();
  std::string error;
  std::optional<targets::VariantPair> pair = targets::ParseVariantPair(Flags().variants, &error);
  if (!pair) return absl::InvalidArgumentError("--variants: " + error);
  return *pair;
}

absl::StatusOr<std::vector<targets::TargetKind>> TargetsFromFlag() {
  const std::string text = Flags().target;
  if (text.empty())
    return std::vector<targets::TargetKind>{targets::TargetKind::kSeq, targets::TargetKind::kConc};
  std::vector<targets::TargetKind> kinds;
  for (absl::string_view name : absl::StrSplit(text, ',')) {
    std::optional<targets::TargetKind> k =
        targets::ParseTargetKind(std::string_view(name.data(), name.size()));
    if (!k)
      return absl::InvalidArgumentError("--target '" + std::string(name) + "': use seq, conc or seq,conc");
    if (std::find(kinds.begin(), kinds.end(), *k) == kinds.end()) kinds.push_back(*k);
  }
  return kinds;
}

absl::StatusOr<int> RunRunCommand() {
  CampaignOptions opt;
  absl::StatusOr<targets::VariantPair> variants = VariantsFromFlag();
  if (!variants.ok()) return variants.status();
  opt.variants = *variants;
  absl::StatusOr<std::vector<targets::TargetKind>> kinds = TargetsFromFlag();
  if (!kinds.ok()) return kinds.status();
  opt.targets = *kinds;
  opt.seconds = Flags().time;
  if (absl::Status s = CheckFlagRange("time", opt.seconds, 1, kMaxSeconds); !s.ok()) return s;
  if (!Flags().out.empty()) opt.out_dir = Flags().out;
  opt.runs = Flags().runs;
  opt.seed = Flags().fuzz_seed;
  if (absl::Status s = CheckFlagRange("jobs", Flags().jobs, 0, kMaxJobs); !s.ok()) return s;
  opt.jobs = Flags().jobs != 0 ? Flags().jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::vector<uint32_t> workers = WorkersPerTarget(opt.jobs, opt.targets.size());
  std::fprintf(stderr, "zsfuzz run: %s vs %s, %u s, targets:", opt.variants.a->name, opt.variants.b->name,
               opt.seconds);
  for (size_t i = 0; i < opt.targets.size(); i++)
    std::fprintf(stderr, " %s (%u job%s)", targets::TargetBinaryName(opt.targets[i]), workers[i],
                 workers[i] == 1 ? "" : "s");
  std::fprintf(stderr, "; findings go to %s\n", opt.out_dir.c_str());
  const CampaignResult r = RunCampaign(opt);
  std::fputs(FormatCampaignSummary(opt, r).c_str(), stdout);
  std::fflush(stdout);
  bool errors = false;
  for (const TargetStats& st : r.targets) errors |= !st.error.empty();
  return r.findings.empty() && !errors ? kExitClean : kExitFinding;
}

absl::StatusOr<int> RunFuzzChildCommand() {
  const std::vector<std::string>& args = CommandArgs();
  std::optional<targets::TargetKind> kind = targets::ParseTargetKind(args[0]);
  if (!kind) return absl::InvalidArgumentError("fuzz-child: unknown target '" + args[0] + "'");
  absl::StatusOr<targets::VariantPair> variants = VariantsFromFlag();
  if (!variants.ok()) return variants.status();
  RunFuzzChild(*kind, *variants, args[1], Flags().time, Flags().runs, Flags().fuzz_seed);
}

}  // namespace

const Subcommand& RunCommand() {
  static const Subcommand cmd{
      "run",
      "The differential campaign: both fuzz targets, two variants, a time budget; findings as files.",
      "[--variants A,B] [--time SECONDS] [--runs N [--fuzz-seed S]] [--jobs N] [--out DIR] [--target "
      "seq|conc|seq,conc]",
      "Fuzzes variant B against variant A (default pre,post) with both differential targets side by side:\n"
      "zs_diff_seq_fuzzer (one thread, full state compared after every op) and zs_diff_conc_fuzzer\n"
      "(virtual threads under a schedule from the input, order-independent state compared), each in a\n"
      "child process running libFuzzer with the program mutator and the interleaving coverage, starting\n"
      "from the built-in seed corpus. --jobs N runs N such processes in all (default one per core),\n"
      "spread over the targets: a target's processes share its corpus (libFuzzer's -reload) and its\n"
      "findings, each signature reported once. A child that stops on a finding or a crash is restarted\n"
      "until the time is up, or until each target has run --runs executions (for tests and CI: with\n"
      "--fuzz-seed and one job per target, the same campaign every time). Progress goes to stderr\n"
      "every 5 s; the summary (execs, exec/s, coverage, corpus, findings, jobs per target) to stdout,\n"
      "with each finding's file in --out and its 'zsfuzz repro' command.\n"
      "Exit status 1 if anything was found.",
      kCmdRun,
      &RunRunCommand,
  };
  return cmd;
}

const Subcommand& FuzzChildCommand() {
  static const Subcommand cmd{
      "fuzz-child",
      "(internal) one target of a campaign under libFuzzer",
      "TARGET WORKDIR --variants A,B --time SECONDS [--runs N] [--fuzz-seed S]",
      "Started by 'zsfuzz run'; not for direct use.",
      kCmdFuzzChild,
      &RunFuzzChildCommand,
      2,
      2,
      {},
      true,
  };
  return cmd;
}

}  // namespace zsfuzz
