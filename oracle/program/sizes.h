// File: program/sizes.h
//
// The malloc sizes worth trying, from zsmalloc's size-class geometry: the
// binary decoder's bias table, the mutator's size moves and the dictionary
// draw on them. The numbers mirror mm/zsmalloc.c (PAGE_SIZE 4096,
// ZS_MIN_ALLOC_SIZE 32, ZS_SIZE_CLASS_DELTA 16, 255 classes); tests check
// HugeClassSize() against every variant's zs_huge_class_size().
//
// Example:
//   uint32_t h = HugeClassSize(8);           // 3625: h and above go to a huge class
//   uint32_t c = ClassSizeOf(1560);          // 1568: the class 1560 lands in
#pragma once

#include <cstdint>
#include <vector>

namespace zsfuzz {

inline constexpr uint32_t kPageSize = 4096;
inline constexpr uint32_t kMinClassSize = 32;     // ZS_MIN_ALLOC_SIZE
inline constexpr uint32_t kClassDelta = 16;       // ZS_SIZE_CLASS_DELTA
inline constexpr uint32_t kNumSizeClasses = 255;  // ZS_SIZE_CLASSES

// Size of class index i (0..254): 32 + 16 i, at most a page.
uint32_t ClassSize(uint32_t index);

// The class a zs_malloc(size) lands in (get_size_class_index), 1 <= size <= 4096.
uint32_t ClassIndexOf(uint32_t size);
inline uint32_t ClassSizeOf(uint32_t size) { return ClassSize(ClassIndexOf(size)); }

// zs_huge_class_size() of a pool with CONFIG_ZSMALLOC_CHAIN_SIZE `chain`
// (4..16): the smallest size stored one object per page. 3625 for chain 8.
uint32_t HugeClassSize(unsigned int chain);

// The fixed list of sizes at edges: 0 and 1, powers of two and their
// neighbours, the page-spanning 1560 in the 1568 class, huge_class_size - 1,
// itself and + 1 for `chain`, 4095..4098 and the top of the range. Sorted,
// no duplicates, every entry <= kMaxMallocSize. A chain outside 4..16 is
// clamped, here and in HugeClassSize.
const std::vector<uint32_t>& EdgeSizes(unsigned int chain);

}  // namespace zsfuzz
