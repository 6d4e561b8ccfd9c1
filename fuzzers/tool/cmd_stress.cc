// `zsfuzz stress`: the stress engine (stress.h) on one variant, free-running
// or, with --deterministic, under the deterministic scheduler.
#include <cstdio>
#include <optional>
#include <string>

#include "fuzzers/stress/progress.h"
#include "fuzzers/stress/stress.h"
#include "fuzzers/stress/stress_deterministic.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

namespace zsfuzz {
namespace {

// Bounds keep a run inside the simulated arena (DEFAULT_ARENA_PAGES) and the machine.
constexpr uint32_t kMaxThreads = 64;
constexpr uint32_t kMaxPressure = 10000;

absl::StatusOr<zs_sched::Schedule> ScheduleFromFlags(const StressOptions& opt) {
  const std::string text = Flags().schedule;
  if (!text.empty() && Flags().strategy != "random")
    return absl::InvalidArgumentError("give --strategy or --schedule, not both");
  if (!text.empty()) {
    std::string error;
    std::optional<zs_sched::Schedule> s = zs_sched::Schedule::Parse(text, &error);
    if (!s) return absl::InvalidArgumentError("--" + error);  // "--schedule: <what is wrong>"
    return *s;
  }
  const std::string name = Flags().strategy;
  std::optional<zs_sched::Strategy> strategy = zs_sched::ParseStrategy(name);
  if (!strategy)
    return absl::InvalidArgumentError("--strategy must be random, pct or rr, not '" + name + "'");
  return StressSchedule(*strategy, opt);
}

absl::StatusOr<int> RunDeterministicStress(const StressOptions& opt) {
  absl::StatusOr<zs_sched::Schedule> schedule = ScheduleFromFlags(opt);
  if (!schedule.ok()) return schedule.status();
  const bool trace = Flags().trace;
  const DeterministicStressResult r = RunStressDeterministic(opt, *schedule, trace);
  if (trace) {
    std::fputs("trace:\n", stdout);
    std::fputs(zs_sched::FormatTrace(r.run.trace).c_str(), stdout);
  }
  // The free-running "rerun:" line gives way to the exact "replay:" line below.
  std::string summary = FormatStressSummary(opt, r.stress);
  if (const size_t at = summary.find("rerun: "); at != std::string::npos)
    summary.erase(at, summary.find('\n', at) + 1 - at);
  std::fputs(summary.c_str(), stdout);
  std::fputs(FormatDeterministicSummary(opt, *schedule, r).c_str(), stdout);
  std::fflush(stdout);
  return r.clean() ? kExitClean : kExitFinding;
}

absl::StatusOr<int> RunStressCommand() {
  StressOptions opt;
  absl::StatusOr<const zs_variant_ops*> v = FindVariantOrError(Flags().variant);
  if (!v.ok()) return v.status();
  opt.variant = *v;
  opt.threads = Flags().threads;
  opt.ops_per_thread = Flags().ops;
  opt.seed = Flags().seed;
  opt.chain_size = Flags().chain;
  opt.zone_pressure = Flags().pressure;
  opt.migrate = !Flags().no_migrate;
  opt.compact = !Flags().no_compact;
  opt.progress = WantProgress(Flags().progress);
  for (absl::Status s : {CheckFlagRange("threads", opt.threads, 1, kMaxThreads),
                         CheckFlagRange("chain", opt.chain_size, 4, 16),
                         CheckFlagRange("pressure", opt.zone_pressure, 0, kMaxPressure)}) {
    if (!s.ok()) return s;
  }

  if (Flags().deterministic) return RunDeterministicStress(opt);
  if (Flags().trace || !Flags().schedule.empty() || Flags().strategy != "random")
    return absl::InvalidArgumentError("--strategy, --schedule and --trace need --deterministic");

  const StressResult r = RunStress(opt);
  std::fputs(FormatStressSummary(opt, r).c_str(), stdout);
  std::fflush(stdout);
  return r.clean ? kExitClean : kExitFinding;
}

}  // namespace

const Subcommand& StressCommand() {
  static const Subcommand cmd{
      "stress",
      "Stress of one variant: long random op programs through the oracle; free-running or deterministic.",
      "--variant V [--threads N] [--ops M] [--seed S] [--chain C] [--pressure P] [--no-migrate] "
      "[--no-compact] [--progress] [--deterministic [--strategy random|pct|rr | --schedule TEXT] [--trace]]",
      "Each thread runs M random ops (malloc of every size class, write, read, read_sg, free, compact,\n"
      "shrinker, page migration, flush of deferred frees, stats) on objects it owns, from a PRNG seeded by\n"
      "(seed, thread), then reads back what it holds. The op program goes through the same executor and\n"
      "oracle as the fuzz targets: every result and byte read against the reference model, the pool's\n"
      "invariants after the drain and after freeing everything, WARN, lockdep and TSan reports, and every\n"
      "page back after teardown. A finding (exit 1) names the oracle's check and field. V may be a seeded\n"
      "mutant. The same seed gives the same per-thread op sequences; the interleaving is the machine's.\n"
      "With --deterministic the threads (and the workqueue's worker) are virtual threads that run one at a\n"
      "time and switch only at the simulated kernel's yield points, as the schedule (--strategy seeded with\n"
      "--seed, or an exact --schedule) decides: the same flags give the same interleaving, and the run ends\n"
      "with 'trace-hash: <hex>'. A BUG, deadlock or livelock is a finding with a report, the in-flight "
      "stats\n"
      "bounds are checked too; --trace prints every step.",
      kCmdStress,
      &RunStressCommand,
  };
  return cmd;
}

}  // namespace zsfuzz
