// The obj encoding helpers (reference 1.5, 5.2), which are static in the port:
// this file compiles the whole port into itself (style.md, item 4), once with
// the pre folder on the include path and once with post's (CMakeLists.txt).
#include <gtest/gtest.h>

#include "zsmalloc.cc"  // NOLINT(bugprone-suspicious-include): the port, in ZS_VARIANT_NS

namespace {

using namespace ZS_VARIANT_NS;  // NOLINT(google-build-using-namespace)

// Real pages, so pfn_zpdesc() resolves: the first and the last of a run.
std::vector<kernel::page*> SomePages() {
  std::vector<kernel::page*> pages;
  pages.reserve(3);
  for (int i = 0; i < 3; i++) pages.push_back(kernel::alloc_page(kernel::GFP_KERNEL));
  return pages;
}

// Where the PFN starts: 64 - (52 - 12) = 24 bits below it on 4 KiB pages
// with 52 physical-address bits; 64 - (64 - 12) = 12 in the noclass
// configuration; 64 - (52 - 14) = 26 on 16 KiB pages (cmake/KernelConfig.cmake).
constexpr unsigned int kPfnShift = ZS_CONFIG_MAX_POSSIBLE_PHYSMEM_BITS == 64 ? 12
                                   : ZS_CONFIG_PAGE_SHIFT == 14              ? 26
                                                                             : 24;
// The largest obj_idx, of a 16-page chain of 32-byte objects: 2048 objects
// (11 bits) on 4 KiB pages, 8192 (13 bits) on 16 KiB.
constexpr unsigned int kObjIdxBits = ZS_CONFIG_PAGE_SHIFT == 14 ? 13 : 11;
constexpr unsigned int kLastObjIdx = (1u << kObjIdxBits) - 1;
// Whether the series puts the class index in obj: only where it fits below
// the PFN with the largest obj_idx (reference 5.2: 9 + 11 bits on 4 KiB pages).
constexpr bool kClassFits = kPfnShift >= 9 + kObjIdxBits;
// The last class index: 254 on 4 KiB pages, 256 (all 9 bits) on 16 KiB.
constexpr unsigned int kLastClass = ZS_CONFIG_PAGE_SHIFT == 14 ? 256 : 254;

#if ZS_TEST_CLASS_IN_OBJ
// post: [PFN | class_idx | obj_idx] with 9 class bits and 15 index bits on
// 4 KiB pages (reference 5.2: 24 >= 9 + 11 even for a 16-page chain), 17
// index bits on 16 KiB pages (26 >= 9 + 13); with 12 bits below the PFN the
// class field folds to 0 bits and the layout is [PFN | obj_idx] as in the
// base tree (v4 and later).
TEST(ObjEncoding, LayoutOfTheSeries) {
  EXPECT_EQ(ZS_OBJ_PFN_SHIFT, kPfnShift);
  EXPECT_EQ(ZS_OBJ_CLASS_BITS, kClassFits ? 9 : 0);
  EXPECT_EQ(ZS_OBJ_IDX_BITS, kClassFits ? kPfnShift - 9 : 12);
  EXPECT_EQ(ZS_MIN_ALLOC_SIZE, 32);
}

unsigned long Encode(struct zpdesc* z, unsigned int idx, unsigned int cls) {
  return location_to_obj(z, idx, cls);
}
#else
// pre: [PFN | obj_idx] with OBJ_INDEX_BITS = 64 - (52 - 12) = 24 (12 in noclass, 26 on 16 KiB pages).
TEST(ObjEncoding, LayoutOfTheBaseTree) {
  EXPECT_EQ(OBJ_INDEX_BITS, kPfnShift);
  EXPECT_EQ(OBJ_INDEX_MASK, (1UL << kPfnShift) - 1);
  EXPECT_EQ(ZS_MIN_ALLOC_SIZE, 32);
}

unsigned long Encode(struct zpdesc* z, unsigned int idx, unsigned int /*cls*/) {
  return location_to_obj(z, idx);
}
#endif

TEST(ObjEncoding, LocationRoundTrips) {
  const std::vector<kernel::page*> pages = SomePages();
  for (kernel::page* p : pages) {
    struct zpdesc* z = page_zpdesc(p);
    for (unsigned int idx : {0u, 1u, 127u, 1000u, kLastObjIdx}) {
      for (unsigned int cls : {0u, 1u, 100u, kLastClass}) {
        const unsigned long obj = Encode(z, idx, cls);
        if (!kClassFits && cls != 0) continue;  // no class field to hold it
        EXPECT_EQ(obj >> kPfnShift, kernel::page_to_pfn(p)) << "the PFN sits above bit " << kPfnShift;
        struct zpdesc* back = nullptr;
        unsigned int back_idx = ~0u;
        obj_to_location(obj, &back, &back_idx);
        EXPECT_EQ(back, z);
        EXPECT_EQ(back_idx, idx);
        struct zpdesc* only = nullptr;
        obj_to_zpdesc(obj, &only);
        EXPECT_EQ(only, z);
#if ZS_TEST_CLASS_IN_OBJ
        EXPECT_EQ(obj_to_class_idx(obj), cls);  // always 0 when the field has no bits
#endif
        // The free-list link and the header tag shift obj_idx by OBJ_TAG_BITS.
        EXPECT_EQ((static_cast<unsigned long>(idx) << OBJ_TAG_BITS) >> OBJ_TAG_BITS, idx);
      }
    }
  }
  for (kernel::page* p : pages) kernel::__free_page(p);
}

TEST(ObjEncoding, TheLastIndicesAreThePorts) {
  EXPECT_EQ(ZS_SIZE_CLASSES - 1, kLastClass);
  EXPECT_EQ((ZS_CHAIN_SIZE_MAX << PAGE_SHIFT) / ZS_MIN_ALLOC_SIZE - 1, kLastObjIdx);
}

TEST(ObjEncoding, HandleStoresAndLoadsObj) {
  unsigned long slot = 0;
  const unsigned long handle = reinterpret_cast<unsigned long>(&slot);
  record_obj(handle, 0x123456789abcUL);
  EXPECT_EQ(handle_to_obj(handle), 0x123456789abcUL);
  EXPECT_EQ(slot, 0x123456789abcUL);
}

}  // namespace
