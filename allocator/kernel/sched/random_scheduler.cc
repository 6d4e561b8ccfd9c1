// Random walk: every step runs a thread drawn uniformly from the runnable set.
//
// It preempts at every yield point with probability (n-1)/n, which makes it
// the strategy most likely to put two threads' unsynchronized accesses next
// to each other, what TSan needs to see a race.
#include "allocator/kernel/sched/prng.h"
#include "allocator/kernel/sched/scheduler.h"

namespace zs_sched {
namespace {

class RandomScheduler final : public Scheduler {
 public:
  explicit RandomScheduler(uint64_t seed) : seed_(seed), rng_(seed) {}

  void NewExecution() override { rng_ = Prng(seed_); }
  TaskId NextTask(std::span<const TaskId> runnable, TaskId) override {
    // No choice, no draw: the PRNG stream is spent on real decisions only.
    if (runnable.size() == 1) return runnable[0];
    return runnable[rng_.Below(runnable.size())];
  }
  uint64_t NextChoice() override { return rng_.Next(); }

 private:
  const uint64_t seed_;
  Prng rng_;
};

}  // namespace

std::unique_ptr<Scheduler> NewRandomScheduler(uint64_t seed) {
  return std::make_unique<RandomScheduler>(seed);
}

}  // namespace zs_sched
