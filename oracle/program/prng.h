// File: prng.h
//
// The seeded PRNG every zsfuzz component uses where runs must repeat: the
// scheduler's xoshiro256** (allocator/kernel/sched/prng.h) with the helpers
// the harnesses want. The same seed gives the same sequence on every machine
// and build. Never seed it from std::random_device, the clock or an address.
//
// Example:
//   zsfuzz::Prng rng(zsfuzz::Prng::StreamSeed(seed, thread_index));
//   size_t size = rng.Range(1, 4096);
//   if (rng.Percent(5)) ...
#pragma once

#include <cstdint>

#include "allocator/kernel/sched/prng.h"

namespace zsfuzz {

using zs_sched::SplitMix64;

inline uint64_t Mix64(uint64_t x) { return SplitMix64(&x); }

class Prng : public zs_sched::Prng {
 public:
  using zs_sched::Prng::Prng;

  // Seed for independent stream `stream` (a thread index) of run `seed`.
  static uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
    return Mix64(seed ^ Mix64(stream + 0x632be59bd9b4e019ULL));
  }

  // Uniform in [0, n); n == 0 returns 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : zs_sched::Prng::Below(n); }

  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }

  // True with probability pct/100.
  bool Percent(unsigned pct) { return Below(100) < pct; }
};

}  // namespace zsfuzz
