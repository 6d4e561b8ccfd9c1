// File: stress_deterministic.h
//
// `zsfuzz stress --deterministic`: the stress program of stress.h, unchanged,
// run by the executor on its deterministic backend (allocator/kernel/sched).
// Its kthreads (the program threads, the workqueue's kworker) become virtual threads
// that run one at a time and switch only at the simulated kernel's yield
// points, in the order the schedule dictates. The same options and schedule
// give the same interleaving and the same trace hash on every run, so a
// finding (a content mismatch, a TSan data race, a deadlock) replays exactly.
//
// Example:
//   zsfuzz::StressOptions opt;  // as for RunStress
//   zs_sched::Schedule s = zsfuzz::StressSchedule(zs_sched::Strategy::kPct, opt);
//   zsfuzz::DeterministicStressResult r = zsfuzz::RunStressDeterministic(opt, s, /*trace=*/false);
//   printf("trace-hash: %s\n", zs_sched::HashHex(r.run.trace_hash).c_str());
#pragma once

#include <string>

#include "allocator/kernel/sched/runner.h"
#include "allocator/kernel/sched/schedule.h"
#include "fuzzers/stress/stress.h"

namespace zsfuzz {

struct DeterministicStressResult {
  StressResult stress;  // meaningful when run.status is kFinished
  zs_sched::RunResult run;
  bool clean() const { return run.status == zs_sched::RunStatus::kFinished && stress.clean; }
};

// The schedule `--strategy` names for this stress: seeded with opt.seed, and
// for PCT with a step estimate from the op count (the change points must
// fall inside the run to matter).
zs_sched::Schedule StressSchedule(zs_sched::Strategy strategy, const StressOptions& opt);

// Runs the stress program of `opt` under `schedule` (opt.progress is ignored:
// the progress reporter is an OS thread). With `trace`, run.trace holds every
// step. The executor starts from a clean kernel, so a second call in the same
// process replays the first exactly (same PFNs, same trace hash).
DeterministicStressResult RunStressDeterministic(const StressOptions& opt, const zs_sched::Schedule& schedule,
                                                 bool trace);

// The lines `zsfuzz stress --deterministic` prints after the stress summary:
// "schedule: ...", the scheduler's report if the run did not finish,
// "trace-hash: 0x..." on a line of its own and, unless the run was clean,
// "replay: zsfuzz stress ... --deterministic --schedule '...'" last: the
// command that replays this exact interleaving.
std::string FormatDeterministicSummary(const StressOptions& opt, const zs_sched::Schedule& schedule,
                                       const DeterministicStressResult& r);

}  // namespace zsfuzz
