// zs_trivial_fuzzer: the trivial target (trivial_target.h) behind the fuzz
// engine's main, the denominator of scripts/bench-targets.sh's instructions
// per execution, built like the differential targets so the engine's
// per-input work and the build's instrumentation are the same in both.
#include <cstddef>
#include <cstdint>

#include "fuzzers/targets/trivial_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zsfuzz::targets::TrivialTestOneInput(data, size);
}
