// File: bench_contention.h
//
// `zsfuzz bench contention`: the series' contention claim, measured. The
// workload has the shape of the cover letter's: zram-sized objects (LZ4 over
// a page mix, contention_pages.h) are allocated and written, `objects` per
// thread, then every thread frees its objects at once, and only that free
// phase is timed (the munmap after swapping to zram). Each variant runs it
//  - on free-running real threads, 1..max_threads, every (threads, pressure,
//    variant) `reps` times with the variants alternating, for medians and
//    spread, and the lock shim's lock_stat counters (class->lock,
//    pool->lock, zone->lock);
//  - in virtual time (virtual_time.h) on 1..16 virtual CPUs, with the cost
//    of a step calibrated against the real 1-thread figures.
// Zone-lock pressure is the hold time added per page allocated or returned
// (page_alloc.h: set_zone_pressure): none, light (1 step) or heavy (4).
//
// Example:
//   ContentionOptions opt = QuickContentionOptions();
//   ContentionReport r = RunContentionBench(opt);
//   std::fputs(FormatContentionReport(opt, r).c_str(), stdout);
//   WriteContentionPlot(opt, r, "contention.svg");
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "kernel/lock_stat.h"

namespace zsfuzz {

struct PressureLevel {
  std::string name;    // "none", "light", "heavy"
  unsigned int steps;  // set_zone_pressure()
};
// "none,light" -> levels; an error names the bad word.
absl::StatusOr<std::vector<PressureLevel>> ParsePressureLevels(const std::string& list);

struct ContentionOptions {
  std::vector<const zs_variant_ops*> variants;  // the first is the baseline of the speedups
  uint32_t max_threads = 2;                     // real threads 1..max_threads
  uint64_t objects = 20000;                     // per real thread
  uint32_t reps = 5;                            // real runs per (threads, pressure, variant)
  std::vector<PressureLevel> pressures;
  std::vector<uint32_t> virtual_cpus;  // e.g. 1..16
  uint64_t virtual_objects = 4000;     // per virtual CPU
};

ContentionOptions DefaultContentionOptions();
// About a minute on two cores: fewer objects and repetitions, CPUs 1, 2, 4, 8, 12, 16.
ContentionOptions QuickContentionOptions();

// One (threads or CPUs, pressure, variant) cell.
struct ContentionCell {
  std::vector<double> free_ns;                 // real: one per repetition; virtual: one
  std::vector<kernel::lock_stat_entry> locks;  // real: summed over the repetitions
  uint64_t steps = 0;                          // virtual: ordinary steps in the free phase
};
struct ContentionKey {
  uint32_t threads;
  size_t pressure;  // index into options.pressures
  size_t variant;   // index into options.variants
  auto operator<=>(const ContentionKey&) const = default;
};

struct ContentionReport {
  std::string sizes;                     // DescribeSizes of the object sizes
  double ns_per_pressure_step = 0;       // zone_pressure_spin(), timed
  double ns_per_step = 0;                // the calibrated cost model, for every variant
  std::vector<double> steps_per_object;  // per variant: free-phase steps per object, 1 thread
  std::map<ContentionKey, ContentionCell> real;
  std::map<ContentionKey, ContentionCell> virt;
  // Virtual time at the real runs' object count, 2 CPUs, per pressure and
  // variant: the check of the model against the real 2-thread figures.
  std::map<ContentionKey, ContentionCell> check;
  std::string error;  // non-empty: a run went wrong (the figures stop there)
};

// Runs everything, printing a line per group of runs to stderr.
ContentionReport RunContentionBench(const ContentionOptions& options);

// The tables (real threads, the calibration check, virtual time) as text.
std::string FormatContentionReport(const ContentionOptions& options, const ContentionReport& report);

// Speedup over the baseline against threads, one line per variant and
// pressure (virtual time), the real-thread speedups as marks; SVG.
std::string ContentionPlotSvg(const ContentionOptions& options, const ContentionReport& report);

}  // namespace zsfuzz
