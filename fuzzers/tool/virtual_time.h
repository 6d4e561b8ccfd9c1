// Virtual time on the deterministic scheduler, for `zsfuzz bench contention`:
// every virtual thread stands for a CPU of its own, and a clock per thread
// counts what the cost model charges for its steps. The thread with the
// smallest clock runs next (ties: the lowest id), so the interleaving is the
// one CPUs running at the model's speeds would produce, and a lock is a
// resource in virtual time: a thread that waited for it resumes at the
// clock of the thread that released it (a thread made runnable, or created,
// starts no earlier than the thread that ran the step before).
//
// The cost model: an ordinary step (the code up to a yield point and the
// yield point itself: a lock operation, an atomic, a page-lock attempt)
// costs `ns_per_step`; a zone-lock pressure step (page_alloc.h,
// set_zone_pressure) costs `ns_per_pressure_step`, the hold time it adds on a
// real CPU; blocking and schedule choices cost nothing (a waiting CPU only
// spins). What it leaves out: cache-line transfers, the cost of spinning on
// a contended line, per-CPU caches, preemption, and any difference in cost
// between two steps of the same kind.
//
// Example:
//   VirtualTimeScheduler vts(CostModel{40.0, 2000.0});
//   zs_sched::SetStepObserver(&VirtualTimeScheduler::OnStep, &vts);
//   zs_sched::RunOptions opt;
//   opt.scheduler = &vts;
//   zs_sched::RunDeterministic(zs_sched::Schedule::RoundRobin(), opt, root);
//   double ms = vts.MarkedSpanNs() / 1e6;   // between the root's two marks
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "allocator/kernel/sched/scheduler.h"
#include "allocator/kernel/sched/trace.h"

namespace zsfuzz {

struct CostModel {
  double ns_per_step = 1;
  double ns_per_pressure_step = 0;
};

class VirtualTimeScheduler final : public zs_sched::Scheduler {
 public:
  // Yield sites the measured code passes (kernel::yield_point) to mark the
  // span MarkedSpanNs() reports: from the thread's clock at the first to its
  // clock at the second.
  static const char* const kMarkBegin;
  static const char* const kMarkEnd;

  explicit VirtualTimeScheduler(const CostModel& model) : model_(model) {}

  void NewExecution() override;
  zs_sched::TaskId NextTask(std::span<const zs_sched::TaskId> runnable, zs_sched::TaskId current) override;
  uint64_t NextChoice() override;

  // The step observer (zs_sched::SetStepObserver, ctx = this): charges the
  // step to its thread's clock.
  static void OnStep(void* self, const zs_sched::TraceStep& step);

  double MarkedSpanNs() const { return mark_end_ - mark_begin_; }
  // Ordinary and pressure steps taken between the marks, by every thread.
  uint64_t MarkedSteps() const { return marked_steps_; }
  uint64_t MarkedPressureSteps() const { return marked_pressure_steps_; }

 private:
  double& Clock(zs_sched::TaskId t);

  CostModel model_;
  std::vector<double> clocks_;
  std::vector<bool> was_runnable_;  // at the previous decision
  std::vector<bool> runnable_now_;  // scratch
  uint64_t choices_ = 0;            // NextChoice's SplitMix64 state
  bool marked_ = false;             // between the marks
  double mark_begin_ = 0;
  double mark_end_ = 0;
  uint64_t marked_steps_ = 0;
  uint64_t marked_pressure_steps_ = 0;
};

}  // namespace zsfuzz
