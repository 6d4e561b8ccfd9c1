// sizes.h against the port itself: the class table, class indices and
// huge_class_size, in the configuration built (label config).
#include "oracle/program/sizes.h"

#include <algorithm>

#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "gtest/gtest.h"
#include "oracle/program/program.h"

namespace zsfuzz {
namespace {

// ZS_SIZE_CLASSES worked out by hand: DIV_ROUND_UP(4096 - 32, 16) + 1 on
// 4 KiB pages, DIV_ROUND_UP(16384 - 32, 64) + 1 on 16 KiB.
static_assert(kNumSizeClasses == (kPageShift == 14 ? 257 : 255));
// zs_huge_class_size() for chain 8, worked out by hand likewise.
constexpr uint32_t kHugeClassSizeChain8 = kPageShift == 14 ? 14553 : 3625;

// Every index of every variant's pool for chains 4, 8 and 16: a canonical
// class has the model's size, pages_per_zspage and objs_per_zspage; a merged
// index names a larger class whose geometry its own size would have had.
TEST(SizesTest, ClassTableMatchesEveryVariantForChains4To16) {
  size_t count = 0;
  const zs_variant_ops* const* variants = zs_variants(&count);
  ASSERT_GT(count, 0u);
  for (size_t v = 0; v < count; v++) {
    for (unsigned int chain : {4u, 8u, 16u}) {
      SCOPED_TRACE(testing::Message() << variants[v]->name << " chain " << chain);
      zs_pool* pool = variants[v]->create_pool("sizes_test", chain);
      ASSERT_NE(pool, nullptr);
      for (uint32_t i = 0; i < kNumSizeClasses; i++) {
        zs_class_info info{};
        ASSERT_TRUE(variants[v]->introspect->class_info(pool, i, &info)) << "index " << i;
        const uint32_t size = ClassSize(i);
        EXPECT_GE(info.index, i) << "index " << i;
        if (info.index == i) EXPECT_EQ(static_cast<uint32_t>(info.size), size) << "index " << i;
        EXPECT_EQ(static_cast<uint32_t>(info.pages_per_zspage), PagesPerZspage(size, chain)) << "index " << i;
        EXPECT_EQ(static_cast<uint32_t>(info.objs_per_zspage), ObjsPerZspage(size, chain)) << "index " << i;
      }
      zs_class_info past{};
      EXPECT_FALSE(variants[v]->introspect->class_info(pool, kNumSizeClasses, &past));
      variants[v]->destroy_pool(pool);
    }
  }
}

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
  EXPECT_EQ(HugeClassSize(8), kHugeClassSizeChain8);
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
  EXPECT_EQ(ClassSizeOf(1560), 1568u);  // 32 + 96 * 16, or 32 + 24 * 64
  EXPECT_EQ(ClassSizeOf(1), 32u);
  EXPECT_EQ(ClassSizeOf(kPageSize), kPageSize);
}

TEST(SizesTest, EdgeSizesHoldTheEdges) {
  for (unsigned int chain = kMinChainSize; chain <= kMaxChainSize; chain++) {
    const std::vector<uint32_t>& edges = EdgeSizes(chain);
    EXPECT_TRUE(std::is_sorted(edges.begin(), edges.end()));
    EXPECT_EQ(std::adjacent_find(edges.begin(), edges.end()), edges.end());
    for (uint32_t want : {0u, 1u, ClassSize(96) - 8, kPageSize, kPageSize + 1, kMaxMallocSize,
                          HugeClassSize(chain) - 1, HugeClassSize(chain), HugeClassSize(chain) + 1})
      EXPECT_TRUE(std::binary_search(edges.begin(), edges.end(), want)) << want << " chain " << chain;
    EXPECT_LE(edges.back(), kMaxMallocSize);
  }
}

}  // namespace
}  // namespace zsfuzz
