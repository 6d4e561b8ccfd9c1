// File: targets/occupancy_feedback.h
//
// Occupancy feedback: a coverage signal for how full the pool got, not just
// which code ran. Filling a class takes many mallocs that run no new code
// after the first zspage, so code coverage keeps no input on the way to a
// full class or a compactable zspage of the smallest class (128 objects a
// zspage), and the states behind them stay out of reach. After each run,
// every class a snapshot shows changed (every snapshot of a one-thread run,
// the drained one of a concurrent run) bumps one 8-bit counter per feature:
// (class, objects in use), (class, zspages), (class, pages zs_can_compact
// would free) and (class, fullness group, zspages in it), each count in a
// power-of-two bucket. A new bucket is new coverage, so the fuzzer keeps the
// input that reached it and grows the next one from there. The counters live
// in the `__libfuzzer_extra_counters` section with the interleaving ones.
//
// Example (after each check of variant `a`'s run `r`):
//   zsfuzz::targets::RecordOccupancy(r);
#pragma once

#include <cstddef>
#include <vector>

#include "oracle/exec/executor.h"

namespace zsfuzz::targets {

inline constexpr size_t kOccupancyCounters = 1 << 12;

// Bumps the counters of the features `r`'s snapshots show (see above).
void RecordOccupancy(const ExecResult& r);

// The counters that are non-zero, by index, and clearing them: for tests.
std::vector<size_t> OccupancyCountersSet();
void ClearOccupancyCounters();

}  // namespace zsfuzz::targets
