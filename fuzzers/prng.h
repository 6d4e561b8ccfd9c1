// File: prng.h
//
// The seeded PRNG every zsfuzz component uses where runs must repeat: the
// same seed gives the same sequence on every machine and build. Never seed it
// from std::random_device, the clock or an address.
//
// Example:
//   zsfuzz::Prng rng(zsfuzz::Prng::StreamSeed(seed, thread_index));
//   size_t size = rng.Range(1, 4096);
//   if (rng.Percent(5)) ...
#pragma once

#include <cstdint>

namespace zsfuzz {

// SplitMix64 step: the standard seed expander for xoshiro, also a good
// stateless 64-bit mixer.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t Mix64(uint64_t x) { return SplitMix64(&x); }

// xoshiro256** (Blackman & Vigna): small, fast, and statistically strong
// enough for choosing ops and sizes.
class Prng {
 public:
  explicit Prng(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& word : s_) word = SplitMix64(&sm);
  }

  // Seed for independent stream `stream` (a thread index) of run `seed`.
  static uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
    return Mix64(seed ^ Mix64(stream + 0x632be59bd9b4e019ULL));
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n == 0 returns 0. Lemire's multiply-shift, whose bias
  // (< n / 2^64) does not matter here.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }

  // True with probability pct/100.
  bool Percent(unsigned pct) { return Below(100) < pct; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace zsfuzz
