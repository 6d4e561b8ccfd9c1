// `zsfuzz stress`: the free-running stress engine (stress.h) on one variant.
#include <cstdio>

#include "absl/flags/flag.h"
#include "flags.h"
#include "progress.h"
#include "stress.h"
#include "subcommand.h"
#include "variant_arg.h"
#include "zsfuzz_flags.h"

namespace zsfuzz {
namespace {

// Bounds keep a run inside the simulated arena (256 MiB) and the machine.
constexpr uint32_t kMaxThreads = 64;
constexpr uint32_t kMaxPressure = 10000;

absl::StatusOr<int> RunStressCommand() {
  StressOptions opt;
  absl::StatusOr<const zs_variant_ops*> v = FindVariantOrError(absl::GetFlag(FLAGS_variant));
  if (!v.ok()) return v.status();
  opt.variant = *v;
  opt.threads = absl::GetFlag(FLAGS_threads);
  opt.ops_per_thread = absl::GetFlag(FLAGS_ops);
  opt.seed = absl::GetFlag(FLAGS_seed);
  opt.chain_size = absl::GetFlag(FLAGS_chain);
  opt.zone_pressure = absl::GetFlag(FLAGS_pressure);
  opt.migrate = !absl::GetFlag(FLAGS_no_migrate);
  opt.compact = !absl::GetFlag(FLAGS_no_compact);
  opt.progress = WantProgress(absl::GetFlag(FLAGS_progress));
  for (absl::Status s : {CheckFlagRange("threads", opt.threads, 1, kMaxThreads),
                         CheckFlagRange("chain", opt.chain_size, 4, 16),
                         CheckFlagRange("pressure", opt.zone_pressure, 0, kMaxPressure)}) {
    if (!s.ok()) return s;
  }

  const StressResult r = RunStress(opt);
  std::fputs(FormatStressSummary(opt, r).c_str(), stdout);
  std::fflush(stdout);
  return r.clean ? kExitClean : kExitFinding;
}

}  // namespace

const Subcommand& StressCommand() {
  static const Subcommand cmd{
      "stress",
      "Free-running stress of one variant: real threads, random ops, every byte verified.",
      "--variant V [--threads N] [--ops M] [--seed S] [--chain C] [--pressure P] [--no-migrate] "
      "[--no-compact] [--progress]",
      "Each thread runs M random ops (malloc of every size class, write, read, read_sg, free, compact,\n"
      "shrinker, page migration, flush of deferred frees, stats) on objects it owns, from a PRNG seeded by\n"
      "(seed, thread). At the end every object is verified and freed, and the pool must give back every\n"
      "page. Any content mismatch, leak, WARN or lockdep report is a finding (exit 1). The same seed gives\n"
      "the same per-thread op sequences; the interleaving is the machine's.",
      {"variant", "threads", "ops", "seed", "chain", "pressure", "no_migrate", "no_compact", "progress"},
      &RunStressCommand,
  };
  return cmd;
}

}  // namespace zsfuzz
