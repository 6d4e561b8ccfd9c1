// A fuzz target's entry points without an engine: 1 MB of seeded random bytes
// (about 2000 inputs of 0..2048 bytes, a quarter of them short) through
// LLVMFuzzerTestOneInput, and every fourth input also through the custom
// mutator and crossover, whose outputs must fit and run too. Any harness
// error (a crash, an abort on a finding, a mutator overrun) fails the test;
// with `interleavings`, the interleaving coverage counters must have been
// bumped too (the conc target: its programs run several virtual threads).
//
// usage: <smoke binary> [bytes [seed [interleavings]]]   (default 1048576 20261126)
// A test may split its megabyte into shards with different seeds, so ctest
// can run them side by side.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzzers/targets/interleaving_coverage.h"
#include "oracle/program/prng.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed);
extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2,
                                            size_t size2, uint8_t* out, size_t max_out_size,
                                            unsigned int seed);

namespace {

constexpr size_t kMaxLen = ZSFUZZ_MAX_INPUT_LEN;

[[noreturn]] void Fail(const char* what, size_t input) {
  std::fprintf(stderr, "smoke: FAILED at input %zu: %s\n", input, what);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : size_t{1} << 20;
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20261126;
  const bool want_interleavings = argc > 3 && std::string_view(argv[3]) == "interleavings";
  char variants[] = "-variants=pre,post";
  char* fargv[] = {argv[0], variants, nullptr};
  int fargc = 2;
  char** fargvp = fargv;
  LLVMFuzzerInitialize(&fargc, &fargvp);
  zsfuzz::targets::ClearInterleavingCounters();

  zsfuzz::Prng rng(seed);
  std::vector<uint8_t> input, previous, mutated(kMaxLen), crossed(kMaxLen);
  size_t fed = 0, inputs = 0, mutations = 0;
  while (fed < total) {
    const size_t len = rng.Percent(25) ? rng.Below(64) : rng.Below(kMaxLen + 1);
    input.resize(len);
    for (uint8_t& b : input) b = static_cast<uint8_t>(rng.Next());
    LLVMFuzzerTestOneInput(input.data(), input.size());
    inputs++;
    if (inputs % 4 == 0) {
      std::copy(input.begin(), input.end(), mutated.begin());
      const size_t m =
          LLVMFuzzerCustomMutator(mutated.data(), input.size(), kMaxLen, static_cast<unsigned>(inputs));
      if (m > kMaxLen) Fail("the custom mutator wrote past max_size", inputs);
      LLVMFuzzerTestOneInput(mutated.data(), m);
      const size_t c = LLVMFuzzerCustomCrossOver(input.data(), input.size(), previous.data(), previous.size(),
                                                 crossed.data(), kMaxLen, static_cast<unsigned>(inputs));
      if (c > kMaxLen) Fail("the custom crossover wrote past max_out_size", inputs);
      LLVMFuzzerTestOneInput(crossed.data(), c);
      mutations += 2;
    }
    previous = input;
    fed += len;
  }
  const size_t counters = zsfuzz::targets::InterleavingCountersSet();
  std::printf(
      "smoke: %zu random inputs (%zu bytes) and %zu mutated ones ran clean; %zu interleaving counters set\n",
      inputs, fed, mutations, counters);
  if (want_interleavings && counters == 0) Fail("no interleaving coverage counter was bumped", inputs);
  return 0;
}
