// Round robin: runnable threads take turns in id order, `quantum` steps each.
#include "allocator/kernel/sched/prng.h"
#include "allocator/kernel/sched/scheduler.h"

namespace zs_sched {
namespace {

class RoundRobinScheduler final : public Scheduler {
 public:
  RoundRobinScheduler(uint32_t quantum, uint64_t seed) : quantum_(quantum), seed_(seed), rng_(seed) {}

  void NewExecution() override {
    rng_ = Prng(seed_);
    used_ = 0;
  }

  TaskId NextTask(std::span<const TaskId> runnable, TaskId current) override {
    bool current_runnable = false;
    for (TaskId t : runnable) current_runnable |= (t == current);
    if (current_runnable && ++used_ < quantum_) return current;
    used_ = 0;
    // The first runnable id after `current`, wrapping around.
    for (TaskId t : runnable)
      if (t > current) return t;
    return runnable[0];
  }

  uint64_t NextChoice() override { return rng_.Next(); }

 private:
  const uint32_t quantum_;
  const uint64_t seed_;
  Prng rng_;
  uint32_t used_ = 0;  // steps `current` has run in its turn, minus one
};

}  // namespace

std::unique_ptr<Scheduler> NewRoundRobinScheduler(uint32_t quantum, uint64_t seed) {
  return std::make_unique<RoundRobinScheduler>(quantum, seed);
}

}  // namespace zs_sched
