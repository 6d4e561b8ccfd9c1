#include "fuzzers/tool/virtual_time.h"

#include <algorithm>
#include <cstring>

#include "allocator/kernel/sched/prng.h"

namespace zsfuzz {

const char* const VirtualTimeScheduler::kMarkBegin = "bench_mark_begin";
const char* const VirtualTimeScheduler::kMarkEnd = "bench_mark_end";

void VirtualTimeScheduler::NewExecution() {
  clocks_.clear();
  was_runnable_.clear();
  choices_ = 0;
  marked_ = false;
  mark_begin_ = mark_end_ = 0;
  marked_steps_ = marked_pressure_steps_ = 0;
}

double& VirtualTimeScheduler::Clock(zs_sched::TaskId t) {
  const auto i = static_cast<size_t>(t);
  if (i >= clocks_.size()) {
    clocks_.resize(i + 1, 0);
    was_runnable_.resize(i + 1, false);
  }
  return clocks_[i];
}

zs_sched::TaskId VirtualTimeScheduler::NextTask(std::span<const zs_sched::TaskId> runnable,
                                                zs_sched::TaskId current) {
  if (current >= 0) Clock(current);
  Clock(runnable.back());  // `runnable` is sorted: sizes the vectors for all of it
  const double now = current >= 0 ? clocks_[static_cast<size_t>(current)] : 0;
  runnable_now_.assign(clocks_.size(), false);
  zs_sched::TaskId best = runnable[0];
  for (zs_sched::TaskId t : runnable) {
    const auto i = static_cast<size_t>(t);
    // Woken or created by the step `current` just took: not before it.
    if (!was_runnable_[i] && t != current) clocks_[i] = std::max(clocks_[i], now);
    runnable_now_[i] = true;
    if (clocks_[i] < clocks_[static_cast<size_t>(best)]) best = t;
  }
  was_runnable_.swap(runnable_now_);
  return best;
}

uint64_t VirtualTimeScheduler::NextChoice() {
  // A fixed stream: data decisions do not depend on the clocks.
  return zs_sched::SplitMix64(&choices_);
}

void VirtualTimeScheduler::OnStep(void* self, const zs_sched::TraceStep& s) {
  auto* v = static_cast<VirtualTimeScheduler*>(self);
  double& c = v->Clock(s.tid);
  if (s.site == kMarkBegin) {
    v->marked_ = true;
    v->mark_begin_ = c;
  } else if (s.site == kMarkEnd) {
    v->marked_ = false;
    v->mark_end_ = c;
  }
  if (s.kind == zs_sched::StepKind::kBlock || s.kind == zs_sched::StepKind::kChoice) return;
  const bool pressure = s.site != nullptr && std::strcmp(s.site, "zone_pressure") == 0;
  c += pressure ? v->model_.ns_per_pressure_step : v->model_.ns_per_step;
  if (v->marked_) (pressure ? v->marked_pressure_steps_ : v->marked_steps_)++;
}

}  // namespace zsfuzz
