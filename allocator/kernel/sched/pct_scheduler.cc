// PCT, probabilistic concurrency testing: S. Burckhardt, P. Kothari,
// M. Musuvathi, S. Nagarakatte, "A Randomized Scheduler with Probabilistic
// Guarantees of Finding Bugs", ASPLOS 2010.
//
// Each thread gets a random priority when it first appears, above every
// change-point priority; the highest-priority runnable thread always runs.
// d-1 change points k_1..k_{d-1} are drawn uniformly from [1, k]; when step
// k_i is reached the thread that ran it drops to priority i (below all
// initial priorities). A bug of depth d in a program of n threads and k steps
// is then hit with probability at least 1/(n * k^(d-1)) per execution.
//
// k (`steps`) is part of the schedule, not estimated from earlier executions
// as Shuttle does, so a single schedule replays on its own.
#include <vector>

#include "allocator/kernel/sched/prng.h"
#include "allocator/kernel/sched/scheduler.h"

namespace zs_sched {
namespace {

class PctScheduler final : public Scheduler {
 public:
  PctScheduler(int depth, uint64_t steps, uint64_t seed)
      : depth_(depth), steps_(steps), seed_(seed), rng_(seed) {}

  void NewExecution() override {
    rng_ = Prng(seed_);
    step_ = 0;
    priority_.clear();
    change_points_.clear();
    for (int i = 1; i < depth_; i++) change_points_.push_back(1 + rng_.Below(steps_));
    next_change_ = NextChangePoint();
  }

  TaskId NextTask(std::span<const TaskId> runnable, TaskId current) override {
    step_++;
    // Most steps have no change point: one pass gives every new thread its
    // priority (in the order of `runnable`, as the rng draws must be) and
    // finds the highest.
    const bool change = step_ == next_change_;
    TaskId best = runnable[0];
    // `runnable` is sorted by id: its last is the highest.
    if (static_cast<size_t>(runnable.back()) >= priority_.size()) priority_.resize(runnable.back() + 1, 0);
    for (TaskId t : runnable) {
      // Initial priorities sit above bit 62, change-point priorities (1..d-1)
      // far below; random low bits order the threads (ties: lower id wins).
      if (priority_[t] == 0) priority_[t] = (uint64_t{1} << 62) | (rng_.Next() >> 2);
      if (!change && priority_[t] > priority_[best]) best = t;
    }
    if (!change) return best;
    for (size_t i = 0; i < change_points_.size(); i++) {
      if (change_points_[i] == step_ && current >= 0 && static_cast<size_t>(current) < priority_.size())
        priority_[current] = i + 1;
    }
    next_change_ = NextChangePoint();
    for (TaskId t : runnable)
      if (priority_[t] > priority_[best]) best = t;
    return best;
  }

  uint64_t NextChoice() override { return rng_.Next(); }

 private:
  // The first change point after step_ (0 if none is left): the step that
  // has one is found without a scan of them all.
  uint64_t NextChangePoint() const {
    uint64_t next = 0;
    for (uint64_t k : change_points_)
      if (k > step_ && (next == 0 || k < next)) next = k;
    return next;
  }

  const int depth_;
  const uint64_t steps_;
  const uint64_t seed_;
  Prng rng_;
  uint64_t step_ = 0;
  std::vector<uint64_t> priority_;       // by task id; 0 = not seen yet
  std::vector<uint64_t> change_points_;  // change_points_[i] = k_{i+1}
  uint64_t next_change_ = 0;
};

}  // namespace

std::unique_ptr<Scheduler> NewPctScheduler(int depth, uint64_t steps, uint64_t seed) {
  return std::make_unique<PctScheduler>(depth, steps, seed);
}

}  // namespace zs_sched
