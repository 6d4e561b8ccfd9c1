// File: stress_baseline.h
//
// The baseline of `zsfuzz mutants --baseline`: what people run today against
// a locking change, free-running real-thread stress, given the same wall-time
// budget as a campaign. `zsfuzz stress --variant MUTANT --threads 2` runs
// again and again, with seeds first_seed, first_seed + 1, ..., each run in a
// child process of this same binary (so in the same sanitizer build), until
// one fails or the budget is spent. A failing run is then run once more with
// the same flags: the interleaving is the machine's, so the finding may not
// come back.
//
// Example:
//   StressBaseline b = RunStressBaseline(*FindSeededMutant("mut-no-kick"), 5.0, 1);
//   if (b.detected) printf("%s after %.1f s, replays: %d\n", b.signature.c_str(), b.seconds, b.replays);
#pragma once

#include <cstdint>
#include <string>

#include "allocator/variants/mutants/mutants.h"

namespace zsfuzz {

// Operations per thread of one stress run: about half a second of the
// default build on one core, so a budget of a few seconds is several seeds.
inline constexpr uint64_t kBaselineOpsPerThread = 100000;

struct StressBaseline {
  bool detected = false;
  double seconds = 0;     // wall time to the end of the failing run
  std::string signature;  // the oracle's check:field, kernel:BUG: ..., or crash:...
  uint64_t seed = 0;      // of the failing run
  int runs = 0;           // stress runs started
  bool replays = false;   // the failing run, again, failed with the same signature
  std::string error;      // a run could not be started
};

StressBaseline RunStressBaseline(const SeededMutant& mutant, double budget_seconds, uint64_t first_seed);

// The signature of one stress run's output ("" if it passed): the oracle's
// "result: FAILED (check:field)", else a kernel "BUG: what at file:line"
// line as kernel:BUG: what, else a sanitizer's SUMMARY line as a crash
// signature (targets::CrashSignature), else crash:<how it ended>.
std::string StressSignature(const std::string& out, const std::string& err, int wait_status);

}  // namespace zsfuzz
