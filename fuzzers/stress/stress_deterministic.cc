// `zsfuzz stress --deterministic`: the stress program on the deterministic backend.
#include "fuzzers/stress/stress_deterministic.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace zsfuzz {
namespace {

// Scheduling steps per stress op: about 14 measured on post and post-rfc-v2
// with the default op mix; PCT's k should cover the run, not fall short.
constexpr uint64_t kStepsPerOp = 16;

}  // namespace

zs_sched::Schedule StressSchedule(zs_sched::Strategy strategy, const StressOptions& opt) {
  switch (strategy) {
    case zs_sched::Strategy::kRandom:
      return zs_sched::Schedule::Random(opt.seed);
    case zs_sched::Strategy::kPct: {
      zs_sched::Schedule s = zs_sched::Schedule::Pct(zs_sched::Schedule::kDefaultPctDepth, opt.seed);
      s.steps = std::max<uint64_t>(1000, kStepsPerOp * opt.threads * opt.ops_per_thread);
      return s;
    }
    case zs_sched::Strategy::kRoundRobin:
      return zs_sched::Schedule::RoundRobin();
  }
  return zs_sched::Schedule::Random(opt.seed);
}

DeterministicStressResult RunStressDeterministic(const StressOptions& opt, const zs_sched::Schedule& schedule,
                                                 bool trace) {
  StressOptions o = opt;
  o.progress = false;  // the progress reporter is an OS thread
  DeterministicStressResult r;
  r.stress = RunStressOn(o, &schedule, trace, &r.run);
  return r;
}

std::string FormatDeterministicSummary(const StressOptions& opt, const zs_sched::Schedule& schedule,
                                       const DeterministicStressResult& r) {
  std::string out =
      absl::StrFormat("schedule: %s\nsteps: %u, virtual threads: %d, scheduler: %s\n", schedule.ToString(),
                      r.run.steps, r.run.threads, zs_sched::RunStatusName(r.run.status));
  if (!r.run.report.empty()) out += r.run.report;
  out += absl::StrFormat("trace-hash: %s\n", zs_sched::HashHex(r.run.trace_hash));
  if (!r.clean()) {
    // The schedule text holds no quote, so single quotes make it one argument.
    absl::StrAppendFormat(
        &out,
        "replay: zsfuzz stress --variant %s --threads %u --ops %u --seed %u --chain %u%s%s%s "
        "--deterministic --schedule '%s'\n",
        opt.variant->name, opt.threads, opt.ops_per_thread, opt.seed, opt.chain_size,
        opt.zone_pressure ? absl::StrFormat(" --pressure %u", opt.zone_pressure) : "",
        opt.migrate ? "" : " --no-migrate", opt.compact ? "" : " --no-compact",
        schedule.ToString().substr(sizeof("schedule ") - 1));
  }
  return out;
}

}  // namespace zsfuzz
