// The LLVMFuzzer* entry points of both differential fuzz targets. CMake
// compiles this file once per target, into zs_diff_<kind>_fuzzer_entry, with
// ZSFUZZ_TARGET_KIND naming the target's TargetKind:
//
//   target               ZSFUZZ_TARGET_KIND  what it does
//   zs_diff_seq_fuzzer   kSeq                the program runs as one thread (every thread's ops in
//                                            order) and CheckSequential requires the two variants'
//                                            full state to match after every op
//   zs_diff_conc_fuzzer  kConc               the program's threads run as virtual threads under the
//                                            schedule in the input, and CheckProgram compares the
//                                            variants (CheckConcurrent from two threads up)
//
// Variants: -variants=A,B or ZSFUZZ_VARIANTS=A,B (default pre,post). The
// logic is in diff_target.cc, shared with zsfuzz run/repro/minimize.
#include <cstddef>
#include <cstdint>

#include "fuzzers/targets/diff_target.h"

#ifndef ZSFUZZ_TARGET_KIND
#error "ZSFUZZ_TARGET_KIND (kSeq or kConc) must be defined: fuzzers/targets/CMakeLists.txt sets it"
#endif

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  zsfuzz::targets::InitStandaloneTarget(zsfuzz::targets::TargetKind::ZSFUZZ_TARGET_KIND, *argc, *argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zsfuzz::targets::TestOneInput(data, size);
}

// LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver: mutator_hooks.cc.
