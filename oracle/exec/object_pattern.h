// File: object_pattern.h
//
// The bytes zsfuzz writes into an object: a function of the object's id, its
// write generation and the byte offset. Neighbouring objects, older
// generations and shifted copies all differ, so a misplaced or stale copy made
// by compaction or migration shows up at its first byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "oracle/program/prng.h"

namespace zsfuzz {

// Fills buf[0, len) with the pattern of (id, gen).
inline void FillPattern(uint64_t id, uint64_t gen, uint8_t* buf, size_t len) {
  const uint64_t key = Mix64(id) ^ (gen * 0xd1b54a32d192ed03ULL);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    const uint64_t word = Mix64(key + i);
    std::memcpy(buf + i, &word, 8);
  }
  if (i < len) {
    const uint64_t word = Mix64(key + i);
    std::memcpy(buf + i, &word, len - i);
  }
}

// Offset of the first byte where a and b differ, or len when they are equal.
inline size_t FirstDifference(const uint8_t* a, const uint8_t* b, size_t len) {
  if (std::memcmp(a, b, len) == 0) return len;
  size_t i = 0;
  while (a[i] == b[i]) i++;
  return i;
}

}  // namespace zsfuzz
