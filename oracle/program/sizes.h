// File: program/sizes.h
//
// The malloc sizes worth trying, from zsmalloc's size-class geometry: the
// binary decoder's bias table, the mutator's size moves and the dictionary
// draw on them. The numbers follow mm/zsmalloc.c's formulas for the
// configuration's PAGE_SIZE (cmake/KernelConfig.cmake): on 4 KiB pages
// ZS_MIN_ALLOC_SIZE 32, ZS_SIZE_CLASS_DELTA 16 and 255 classes, on 16 KiB
// pages delta 64 and 257 classes; tests check the class table and
// HugeClassSize() against every variant's.
//
// Example (4 KiB pages):
//   uint32_t h = HugeClassSize(8);           // 3625: h and above go to a huge class
//   uint32_t c = ClassSizeOf(1560);          // 1568: the class 1560 lands in
#pragma once

#include <cstdint>
#include <vector>

namespace zsfuzz {

// PAGE_SHIFT from the build's ZS_CONFIG_PAGE_SHIFT, which kernel/types.h reads
// too (with the same default): the AFL++ custom mutator compiles this folder
// without the simulated kernel. oracle/exec static_asserts that both agree.
#ifdef ZS_CONFIG_PAGE_SHIFT
inline constexpr unsigned int kPageShift = ZS_CONFIG_PAGE_SHIFT;
#else
inline constexpr unsigned int kPageShift = 12;
#endif
inline constexpr uint32_t kPageSize = uint32_t{1} << kPageShift;
// ZS_MIN_ALLOC_SIZE: MAX(32, chain pages >> obj index bits) is 32 in every
// configuration (the port static_asserts it).
inline constexpr uint32_t kMinClassSize = 32;
inline constexpr uint32_t kClassDelta = kPageSize >> 8;  // ZS_SIZE_CLASS_DELTA: PAGE_SIZE >> CLASS_BITS
// ZS_SIZE_CLASSES: DIV_ROUND_UP(ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE, ZS_SIZE_CLASS_DELTA) + 1
inline constexpr uint32_t kNumSizeClasses = (kPageSize - kMinClassSize + kClassDelta - 1) / kClassDelta + 1;

// Size of class index i (0..kNumSizeClasses - 1): 32 + kClassDelta i, at most a page.
uint32_t ClassSize(uint32_t index);

// The class a zs_malloc(size) lands in (get_size_class_index), 1 <= size <= kPageSize.
uint32_t ClassIndexOf(uint32_t size);
inline uint32_t ClassSizeOf(uint32_t size) { return ClassSize(ClassIndexOf(size)); }

// calculate_zspage_chain_size(): the pages (1..chain) of a zspage of
// `class_size` objects, and the objects such a zspage holds.
uint32_t PagesPerZspage(uint32_t class_size, unsigned int chain);
inline uint32_t ObjsPerZspage(uint32_t class_size, unsigned int chain) {
  return PagesPerZspage(class_size, chain) * kPageSize / class_size;
}

// zs_huge_class_size() of a pool with CONFIG_ZSMALLOC_CHAIN_SIZE `chain`
// (4..16): the smallest size stored one object per page. 3625 for chain 8
// on 4 KiB pages.
uint32_t HugeClassSize(unsigned int chain);

// The fixed list of sizes at edges: 0 and 1, powers of two up to half a page
// and their neighbours, class 96 (the page-spanning 1568 on 4 KiB pages) with
// its size - 8 and + 1, huge_class_size - 1, itself and + 1 for `chain`, a
// page - 1 .. + 2 and the top of the range. Sorted, no duplicates, every
// entry <= kMaxMallocSize. A chain outside 4..16 is clamped, here and in
// HugeClassSize.
const std::vector<uint32_t>& EdgeSizes(unsigned int chain);

}  // namespace zsfuzz
