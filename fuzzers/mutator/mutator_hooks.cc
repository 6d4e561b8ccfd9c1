// libFuzzer's custom mutator hooks over the program mutator, for every binary
// that hands the targets to libFuzzer: the standalone targets (through their
// zs_diff_<kind>_fuzzer_entry objects) and zsfuzz (run's fuzz children).
// libFuzzer looks them up as weak symbols, so each binary compiles this file.
#include <cstddef>
#include <cstdint>

#include "fuzzers/targets/diff_target.h"

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  return zsfuzz::targets::CustomMutator(data, size, max_size, seed);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2,
                                            size_t size2, uint8_t* out, size_t max_out_size,
                                            unsigned int seed) {
  return zsfuzz::targets::CustomCrossOver(data1, size1, data2, size2, out, max_out_size, seed);
}
