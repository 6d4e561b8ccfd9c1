// `zsfuzz stress --deterministic`: RunStress as the root of a deterministic scheduler run.
#include "fuzzers/stress/stress_deterministic.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "kernel/page_alloc.h"

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
  o.progress = false;
  zs_sched::RunOptions ro;
  ro.record_trace = trace;
  // A livelock must end: far more steps than any finishing run takes.
  ro.max_steps = 1000 * (uint64_t{o.threads} * o.ops_per_thread + 1000);
  // Object numbers in the trace follow the PFNs the allocator hands out, so a
  // replay starts from a fresh arena (when nothing is allocated) as a new
  // process would.
  if (kernel::nr_pages_in_use() == 0) kernel::page_alloc_reset();
  DeterministicStressResult r;
  r.run = zs_sched::RunDeterministic(schedule, ro, [&] { r.stress = RunStress(o); });
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
