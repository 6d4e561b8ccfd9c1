// The traits each registered variant declares (zs_add_variant(... TRAITS ...),
// compiled into its table) are what its code does, patch by patch
// (zsmalloc-reference.md section 5; allocator/variants/README.md).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "allocator/zsmalloc/zs_variant.h"
#include "kernel/types.h"

namespace {

struct Expected {
  const char* name;
  bool class_in_obj;                    // patch 1
  bool free_without_pool_lock;          // patch 2
  bool frees_pages_outside_class_lock;  // patch 3
};

// Patches 1 and 2 need room for the class index in obj: none in the noclass
// configuration (ZS_OBJ_CLASS_BITS 0), where RFC v2, which has no fallback
// for a 64-bit obj without spare bits, is not built.
constexpr bool kFits = kernel::MAX_POSSIBLE_PHYSMEM_BITS < kernel::BITS_PER_LONG;
constexpr Expected kExpected[] = {
    {"pre", false, false, false},      {"post", kFits, kFits, true},
    {"post-1", kFits, false, false},   {"post-1-2", kFits, kFits, false},
#if ZS_CONFIG_MAX_POSSIBLE_PHYSMEM_BITS < 64
    {"post-rfc-v2", true, true, true},
#endif
};

TEST(VariantTraitsTest, EveryRegisteredVariantDeclaresWhatItsCodeDoes) {
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  ASSERT_GT(count, 0u);
  for (size_t i = 0; i < count; i++) {
    const zs_variant_ops* v = all[i];
    SCOPED_TRACE(v->name);
    EXPECT_TRUE(v->traits.declared);
    const Expected* want = nullptr;
    for (const Expected& e : kExpected)
      if (std::strcmp(e.name, v->name) == 0) want = &e;
    ASSERT_NE(want, nullptr) << "a new variant: add the traits the reference gives it to kExpected";
    EXPECT_EQ(v->traits.class_in_obj, want->class_in_obj);
    EXPECT_EQ(v->traits.free_without_pool_lock, want->free_without_pool_lock);
    EXPECT_EQ(v->traits.frees_pages_outside_class_lock, want->frees_pages_outside_class_lock);
  }
}

TEST(VariantTraitsTest, EveryExpectedVariantIsRegistered) {
  for (const Expected& e : kExpected) EXPECT_NE(zs_find_variant(e.name), nullptr) << e.name;
}

}  // namespace
