// sizes.h against the port itself: class indices and huge_class_size.
#include "oracle/program/sizes.h"

#include <algorithm>

#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "gtest/gtest.h"
#include "oracle/program/program.h"

namespace zsfuzz {
namespace {

TEST(SizesTest, HugeClassSizeMatchesEveryVariantForEveryChain) {
  size_t count = 0;
  const zs_variant_ops* const* variants = zs_variants(&count);
  ASSERT_GT(count, 0u);
  for (size_t v = 0; v < count; v++) {
    for (unsigned int chain = kMinChainSize; chain <= kMaxChainSize; chain++) {
      zs_pool* pool = variants[v]->create_pool("sizes_test", chain);
      ASSERT_NE(pool, nullptr) << variants[v]->name << " chain " << chain;
      EXPECT_EQ(HugeClassSize(chain), variants[v]->huge_class_size(pool))
          << variants[v]->name << " chain " << chain;
      variants[v]->destroy_pool(pool);
    }
  }
  EXPECT_EQ(HugeClassSize(8), 3625u);
}

TEST(SizesTest, ClassOfEverySizeMatchesThePort) {
  const zs_variant_ops* v = zs_find_variant("pre");
  ASSERT_NE(v, nullptr);
  zs_pool* pool = v->create_pool("sizes_test", kDefaultChainSize);
  ASSERT_NE(pool, nullptr);
  for (uint32_t size = 1; size <= kPageSize; size++) {
    zs_class_info info;
    ASSERT_TRUE(v->introspect->class_info(pool, ClassIndexOf(size), &info));
    // Merged classes share the larger index's geometry; the size bound holds for both.
    EXPECT_GE(static_cast<uint32_t>(info.size), size);
    EXPECT_EQ(ClassSizeOf(size), ClassSize(ClassIndexOf(size)));
    if (size > kMinClassSize) EXPECT_LT(ClassSizeOf(size) - size, kClassDelta) << size;
  }
  v->destroy_pool(pool);
  EXPECT_EQ(ClassSizeOf(1560), 1568u);
  EXPECT_EQ(ClassSizeOf(1), 32u);
  EXPECT_EQ(ClassSizeOf(4096), 4096u);
}

TEST(SizesTest, EdgeSizesHoldTheEdges) {
  for (unsigned int chain = kMinChainSize; chain <= kMaxChainSize; chain++) {
    const std::vector<uint32_t>& edges = EdgeSizes(chain);
    EXPECT_TRUE(std::is_sorted(edges.begin(), edges.end()));
    EXPECT_EQ(std::adjacent_find(edges.begin(), edges.end()), edges.end());
    for (uint32_t want : {0u, 1u, 1560u, 4096u, 4097u, kMaxMallocSize, HugeClassSize(chain) - 1,
                          HugeClassSize(chain), HugeClassSize(chain) + 1})
      EXPECT_TRUE(std::binary_search(edges.begin(), edges.end(), want)) << want << " chain " << chain;
    EXPECT_LE(edges.back(), kMaxMallocSize);
  }
}

}  // namespace
}  // namespace zsfuzz
