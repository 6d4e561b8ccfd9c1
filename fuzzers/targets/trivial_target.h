// File: targets/trivial_target.h
//
// The yardstick of the throughput figures (`zsfuzz bench targets`,
// scripts/bench-targets.sh): a typical cheap libFuzzer target, against which
// the differential targets' cost per input is given as a ratio. It decodes
// the input as the targets do (DecodeInput: an op program, binary or text)
// and returns; the parser-only target is the usual shape of a cheap one
// (decode, return), and this one parses the same inputs as the real targets
// before they run anything. The binary zs_trivial_fuzzer (trivial_fuzzer.cc)
// is this function behind libFuzzer's main.
//
// Example:
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     return zsfuzz::targets::TrivialTestOneInput(data, size);
//   }
#pragma once

#include <cstddef>
#include <cstdint>

namespace zsfuzz::targets {

// What the trivial target does, one line, for tables that show its figures.
inline constexpr const char* kTrivialTargetDescription =
    "decodes the input as an op program (DecodeInput) and returns: a parser-only target, the typical "
    "cheap libFuzzer target";

// Returns 0, like LLVMFuzzerTestOneInput.
int TrivialTestOneInput(const uint8_t* data, size_t size);

}  // namespace zsfuzz::targets
