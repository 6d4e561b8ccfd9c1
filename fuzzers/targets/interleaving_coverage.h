// File: targets/interleaving_coverage.h
//
// Interleaving coverage: a coverage signal for the schedule, not just the
// code. Code coverage alone cannot tell two interleavings of the same ops
// apart, so the fuzzer would keep no input for reaching a new one. Every step
// of a deterministic run bumps one of kInterleavingCounters 8-bit counters,
// picked by hashing (the site of the latest step taken by ANOTHER virtual
// thread, the current step's site, whether both touched the same object, the
// step kind). A new pair — "T1 stopped in zs_free's class lock while T2
// reached migrate's write_lock" — is new coverage. The counters live in the
// `__libfuzzer_extra_counters` section, which libFuzzer reads (and clears)
// around every input like its own; other engines ignore the section.
//
// Example (LLVMFuzzerInitialize):
//   zsfuzz::targets::InstallInterleavingCoverage();
#pragma once

#include <cstddef>

namespace zsfuzz::targets {

inline constexpr size_t kInterleavingCounters = 1 << 14;

// Registers the step observer (zs_sched::SetStepObserver) that bumps the
// counters. Idempotent.
void InstallInterleavingCoverage();

// How many counters are non-zero, and clearing them: for tests and stats.
size_t InterleavingCountersSet();
void ClearInterleavingCounters();

}  // namespace zsfuzz::targets
