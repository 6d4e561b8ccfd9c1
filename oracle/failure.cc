// Failure helpers shared by the checks (failure.h).
#include "oracle/failure.h"

namespace zsfuzz::oracle {

const char* LevelCheckName(Level level, bool sequential) {
  switch (level) {
    case Level::kKernel:
      return "kernel";
    case Level::kModel:
      return "model";
    case Level::kInvariant:
      return "invariant";
    case Level::kInflight:
      return "inflight";
    case Level::kDiff:
      return sequential ? "sequential-diff" : "concurrent-diff";
    case Level::kReplay:
      return "linearization";
  }
  return "?";
}

void KeepFirst(std::optional<Failure>* best, std::optional<Failure> f) {
  if (!f) return;
  if (!*best || f->position < (*best)->position ||
      (f->position == (*best)->position && f->level < (*best)->level))
    *best = std::move(f);
}

const char* ClassStatName(int i) {
  static const char* const kNames[] = {"ratio_0", "10%", "20%", "30%", "40%",  "50%",           "60%",
                                       "70%",     "80%", "90%", "99%", "100%", "obj_allocated", "obj_used"};
  return i >= 0 && i < 14 ? kNames[i] : "?";
}

int FullnessGroup(unsigned int inuse, unsigned int objs) {
  if (inuse == 0) return 0;
  if (inuse == objs) return 11;
  return static_cast<int>(100 * inuse / objs / 10 + 1);
}

}  // namespace zsfuzz::oracle
