// Size-class geometry of mm/zsmalloc.c, recomputed for the size tables.
#include "oracle/program/sizes.h"

#include <algorithm>
#include <climits>

#include "oracle/program/program.h"

namespace zsfuzz {

uint32_t ClassSize(uint32_t index) { return std::min(kMinClassSize + index * kClassDelta, kPageSize); }

uint32_t ClassIndexOf(uint32_t size) {
  uint32_t idx = 0;
  if (size > kMinClassSize) idx = (size - kMinClassSize + kClassDelta - 1) / kClassDelta;
  return std::min(idx, kNumSizeClasses - 1);
}

// The page count (1..chain) wasting least; the first minimum wins a tie.
uint32_t PagesPerZspage(uint32_t class_size, unsigned int chain) {
  if ((class_size & (class_size - 1)) == 0) return 1;
  uint32_t best = 1;
  uint32_t min_waste = UINT_MAX;
  for (uint32_t i = 1; i <= chain; i++) {
    const uint32_t waste = (i * kPageSize) % class_size;
    if (waste < min_waste) {
      min_waste = waste;
      best = i;
    }
  }
  return best;
}

namespace {

constexpr uint32_t kHandleSize = 8;  // ZS_HANDLE_SIZE on 64-bit

uint32_t ComputeHugeClassSize(unsigned int chain) {
  // zs_create_pool(): walking down from the largest class, the first that is
  // not one object per one-page zspage, minus ZS_HANDLE_SIZE - 1.
  for (int i = kNumSizeClasses - 1; i >= 0; i--) {
    const uint32_t size = ClassSize(static_cast<uint32_t>(i));
    const uint32_t pages = PagesPerZspage(size, chain);
    const uint32_t objs = ObjsPerZspage(size, chain);
    if (pages != 1 && objs != 1) return size - (kHandleSize - 1);
  }
  return 0;
}

std::vector<uint32_t> ComputeEdgeSizes(unsigned int chain) {
  // The upstream documentation's example class: 1568 bytes on 4 KiB pages,
  // its objects spanning pages.
  const uint32_t spanning = ClassSize(96);
  std::vector<uint32_t> sizes = {0,
                                 1,
                                 2,
                                 7,
                                 8,
                                 9,
                                 31,
                                 spanning - 8,
                                 spanning,
                                 spanning + 1,
                                 kPageSize - kClassDelta,
                                 kPageSize - 1,
                                 kPageSize,
                                 kPageSize + 1,
                                 kPageSize + 2,
                                 kPageSize + kPageSize / 2,
                                 kMaxMallocSize - 1,
                                 kMaxMallocSize};
  for (uint32_t p = 16; p <= kPageSize / 2; p *= 2) sizes.insert(sizes.end(), {p - 1, p, p + 1});
  const uint32_t huge = ComputeHugeClassSize(chain);
  sizes.insert(sizes.end(), {huge - 1, huge, huge + 1});
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// Both tables for every chain, computed once: the decoder asks per malloc.
struct Tables {
  uint32_t huge[kMaxChainSize + 1] = {};
  std::vector<uint32_t> edges[kMaxChainSize + 1];
  Tables() {
    for (unsigned int c = kMinChainSize; c <= kMaxChainSize; c++) {
      huge[c] = ComputeHugeClassSize(c);
      edges[c] = ComputeEdgeSizes(c);
    }
  }
};

const Tables& GetTables() {
  static const Tables* const tables = new Tables();
  return *tables;
}

unsigned int ClampChain(unsigned int chain) { return std::clamp(chain, kMinChainSize, kMaxChainSize); }

}  // namespace

uint32_t HugeClassSize(unsigned int chain) { return GetTables().huge[ClampChain(chain)]; }

const std::vector<uint32_t>& EdgeSizes(unsigned int chain) { return GetTables().edges[ClampChain(chain)]; }

}  // namespace zsfuzz
