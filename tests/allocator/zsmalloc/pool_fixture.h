// Test helpers shared by the zsmalloc suites: a fixture that runs every test
// once per registered variant, owns one pool, and checks at teardown that
// destroying it gave every page back; object fill/verify helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "kernel/kernel.h"
#include "kernel/types.h"

namespace zsfuzz_test {

// The geometry the suites build their cases on, for the configuration's page
// (cmake/KernelConfig.cmake) and the default chain 8, worked out by hand
// from the reference formulas (zsmalloc-reference.md 1, 1.1).
//
// ZS_SIZE_CLASSES: DIV_ROUND_UP(4096 - 32, 16) + 1 on 4 KiB pages,
// DIV_ROUND_UP(16384 - 32, 64) + 1 on 16 KiB.
inline constexpr unsigned int kSizeClasses = ZS_CONFIG_PAGE_SHIFT == 14 ? 257 : 255;

// Objects of the smallest class (32 bytes) in its 1-page zspage.
inline constexpr int kTinyObjsPerZspage = static_cast<int>(kernel::PAGE_SIZE / 32);

// A class whose objects cross page boundaries: `request` bytes (the class
// size less the handle) land in it, its zspage has `pages` pages holding
// `objs` objects, `spanning` of which start in one page and end in the next.
struct SpanningClass {
  size_t request;
  int size, pages, objs, spanning;
};
#if ZS_CONFIG_PAGE_SHIFT == 14
// 5792 = 32 + 90 * 64. Chains of 1..8 pages waste 4800, 3808, 2816, 1824,
// 832, 5632, 4640 and 3648 bytes: 5 pages, 14 objects (81088 of 81920
// bytes); objects 2, 5, 8 and 11 cross a page boundary.
inline constexpr SpanningClass kSpan = {5784, 5792, 5, 14, 4};
#else
// Class #96 of the upstream documentation (reference 1.1): 1568 bytes, 5
// pages, 13 objects; objects 2, 5, 7 and 10 cross a page boundary.
inline constexpr SpanningClass kSpan = {1560, 1568, 5, 13, 4};
#endif

// A size stored one object per page (at least huge_class_size for chain 8:
// 3625 on 4 KiB pages, 14553 on 16 KiB) and below a page.
inline constexpr size_t kHugeRequest = kernel::PAGE_SIZE - 96;

// Every variant the registry knows, by name: naming a new variant in
// allocator/variants/CMakeLists.txt runs every suite on it.
std::vector<std::string> AllVariantNames();

// Byte i of object `id` at generation `gen`: cheap, position-dependent, and
// different for neighbouring objects, so a misplaced copy shows up.
inline uint8_t PatternByte(uint64_t id, uint64_t gen, size_t i) {
  uint64_t x = (id * 0x9e3779b97f4a7c15ULL) ^ (gen << 32) ^ (i * 0x2545f4914f6cdd1dULL);
  x ^= x >> 29;
  return static_cast<uint8_t>(x ^ (x >> 8));
}

class PoolTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Creates the pool with another chain size (destroys the current one first).
  void RecreatePool(unsigned int chain_size);

  unsigned long Malloc(size_t size);
  void Free(unsigned long handle);
  void Write(unsigned long handle, size_t size, uint64_t id, uint64_t gen = 0);
  // Reads through obj_read_begin/end and returns the bytes.
  std::vector<uint8_t> Read(unsigned long handle, size_t size);
  // Reads through obj_read_sg_begin/end.
  std::vector<uint8_t> ReadSg(unsigned long handle, size_t size);
  // Both read paths, compared with the pattern; reports the first difference.
  ::testing::AssertionResult Verify(unsigned long handle, size_t size, uint64_t id, uint64_t gen = 0);

  zs_class_info ClassOf(size_t size);  // the class an object of `size` lands in
  zs_obj_location Where(unsigned long handle);

  const zs_variant_ops* v_ = nullptr;
  zs_pool* pool_ = nullptr;
  unsigned long pages_before_ = 0;
  unsigned long zspages_before_ = 0;
};

// The gtest parameter name: "post-rfc-v2" -> "post_rfc_v2".
std::string VariantParamName(const ::testing::TestParamInfo<std::string>& info);

#define ZS_INSTANTIATE_FOR_ALL_VARIANTS(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(AllVariants, suite, ::testing::ValuesIn(::zsfuzz_test::AllVariantNames()), \
                           ::zsfuzz_test::VariantParamName)

}  // namespace zsfuzz_test
