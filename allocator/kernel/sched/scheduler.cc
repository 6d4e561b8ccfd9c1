// MakeScheduler: a Schedule value to the strategy stack it describes.
#include "allocator/kernel/sched/scheduler.h"

namespace zs_sched {

std::unique_ptr<Scheduler> MakeScheduler(const Schedule& s) {
  std::unique_ptr<Scheduler> inner;
  switch (s.strategy) {
    case Strategy::kRandom:
      inner = NewRandomScheduler(s.seed);
      break;
    case Strategy::kPct:
      inner = NewPctScheduler(s.depth, s.steps, s.seed);
      break;
    case Strategy::kRoundRobin:
      inner = NewRoundRobinScheduler(s.quantum, s.seed);
      break;
  }
  if (s.data.empty()) return inner;
  return NewReplayScheduler(s.data, std::move(inner));
}

}  // namespace zs_sched
