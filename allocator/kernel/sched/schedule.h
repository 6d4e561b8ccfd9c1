// Schedule: the value that fixes every decision of a deterministic run.
//
// A schedule names a strategy with its parameters and, optionally, explicit
// schedule data: decisions taken from the input before the strategy's PRNG
// (seeded with `seed`) takes over. Its text form prints and parses round trip:
//
//   schedule random seed=5
//   schedule random seed=5 data=0,1,1,2,0
//   schedule pct depth=2 seed=17            (steps=K: PCT's step estimate, default 1000)
//   schedule rr                             (quantum=Q steps per turn, default 1)
//   schedule 0 1 1 2 0                      (bare data: random seed=0 with that data)
//
// Each data entry is a task index, taken modulo the number of runnable
// threads at the next decision that has a choice (one runnable thread
// consumes nothing).
//
// Example:
//   std::string error;
//   std::optional<Schedule> s = Schedule::Parse("schedule pct depth=2 seed=17", &error);
//   if (!s) { fprintf(stderr, "%s\n", error.c_str()); return 2; }
//   assert(Schedule::Parse(s->ToString(), &error) == s);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zs_sched {

enum class Strategy { kRandom, kPct, kRoundRobin };

// "random", "pct", "rr".
const char* StrategyName(Strategy s);
std::optional<Strategy> ParseStrategy(std::string_view name);

struct Schedule {
  static constexpr int kDefaultPctDepth = 3;
  static constexpr uint64_t kDefaultPctSteps = 1000;
  static constexpr int kMaxPctDepth = 64;

  Strategy strategy = Strategy::kRandom;
  uint64_t seed = 0;
  int depth = kDefaultPctDepth;       // pct: bug depth d (d-1 priority change points)
  uint64_t steps = kDefaultPctSteps;  // pct: k, the change points are drawn from [1, k]
  uint32_t quantum = 1;               // rr: steps a thread runs before the next one's turn
  std::vector<uint32_t> data;         // explicit decisions, consumed first

  static Schedule Random(uint64_t seed) {
    Schedule s;
    s.seed = seed;
    return s;
  }
  static Schedule Pct(int depth, uint64_t seed) {
    Schedule s;
    s.strategy = Strategy::kPct;
    s.depth = depth;
    s.seed = seed;
    return s;
  }
  static Schedule RoundRobin() {
    Schedule s;
    s.strategy = Strategy::kRoundRobin;
    return s;
  }

  // The canonical text, "schedule <strategy> key=value ...": parameters
  // that do not apply to the strategy, and rr's defaults, are left out.
  std::string ToString() const;
  // Parses the text form (the leading "schedule" word is optional). On error
  // returns nullopt and sets *error to one line naming the bad token and what
  // was expected.
  static std::optional<Schedule> Parse(std::string_view text, std::string* error);

  bool operator==(const Schedule& o) const;
};

}  // namespace zs_sched
