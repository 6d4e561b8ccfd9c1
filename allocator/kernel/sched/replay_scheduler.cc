// Replay: explicit schedule data from the input first, then the inner strategy.
//
// This is how a fuzzer steers interleavings: the input's schedule bytes are
// the first decisions, and the strategy (seeded from the input as well) makes
// the rest, so every input names exactly one interleaving.
#include <vector>

#include "allocator/kernel/sched/scheduler.h"

namespace zs_sched {
namespace {

class ReplayScheduler final : public Scheduler {
 public:
  ReplayScheduler(std::vector<uint32_t> data, std::unique_ptr<Scheduler> inner)
      : data_(std::move(data)), inner_(std::move(inner)) {}

  void NewExecution() override {
    pos_ = 0;
    inner_->NewExecution();
  }

  TaskId NextTask(std::span<const TaskId> runnable, TaskId current) override {
    if (pos_ < data_.size()) {
      // A decision without a choice consumes nothing, so no entry is wasted.
      if (runnable.size() == 1) return runnable[0];
      return runnable[data_[pos_++] % runnable.size()];
    }
    return inner_->NextTask(runnable, current);
  }

  uint64_t NextChoice() override {
    if (pos_ < data_.size()) return data_[pos_++];
    return inner_->NextChoice();
  }

 private:
  const std::vector<uint32_t> data_;
  const std::unique_ptr<Scheduler> inner_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Scheduler> NewReplayScheduler(std::vector<uint32_t> data, std::unique_ptr<Scheduler> inner) {
  return std::make_unique<ReplayScheduler>(std::move(data), std::move(inner));
}

}  // namespace zs_sched
