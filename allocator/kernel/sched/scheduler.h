// The Scheduler interface (after Shuttle's): which virtual thread runs next.
//
// The runtime (deterministic_backend.cc) asks NextTask() at every yield point
// and NextChoice() for every data decision a virtual thread requests; it names
// no strategy. Strategies live one per file (random_scheduler.cc,
// pct_scheduler.cc, round_robin_scheduler.cc); replay_scheduler.cc wraps one
// so explicit schedule data is consumed first. MakeScheduler() builds the
// whole stack from a Schedule.
//
// Determinism contract: given the same sequence of calls (runnable sets,
// current task), a scheduler returns the same answers. Task ids are the
// virtual threads' creation order in the execution (0 = the root thread).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "allocator/kernel/sched/schedule.h"

namespace zs_sched {

using TaskId = int;

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Called once before the first decision of an execution.
  virtual void NewExecution() = 0;

  // Picks the task that runs the next step. `runnable` is non-empty and sorted
  // by id; `current` is the task that ran the previous step (-1 before the
  // first one); it is absent from `runnable` if it blocked or exited.
  virtual TaskId NextTask(std::span<const TaskId> runnable, TaskId current) = 0;

  // A value for a data decision (sizes, failure injection, picks), uniform
  // over 64 bits; the runtime reduces it to the range it needs.
  virtual uint64_t NextChoice() = 0;
};

std::unique_ptr<Scheduler> NewRandomScheduler(uint64_t seed);
// PCT with bug depth `depth` and step estimate `steps` (see pct_scheduler.cc).
std::unique_ptr<Scheduler> NewPctScheduler(int depth, uint64_t steps, uint64_t seed);
// Round robin over runnable tasks in id order, `quantum` steps per turn;
// `seed` only drives NextChoice().
std::unique_ptr<Scheduler> NewRoundRobinScheduler(uint32_t quantum, uint64_t seed);
// Consumes `data` first (each entry: an index into the runnable set, modulo
// its size, only at decisions with more than one runnable task; for
// NextChoice the entry itself), then defers to `inner`.
std::unique_ptr<Scheduler> NewReplayScheduler(std::vector<uint32_t> data, std::unique_ptr<Scheduler> inner);

// The strategy `s` names, wrapped in the replay scheduler when it has data.
std::unique_ptr<Scheduler> MakeScheduler(const Schedule& s);

}  // namespace zs_sched
