// Fullness groups (reference 1.4): after every allocation into one zspage,
// exactly one zspage is counted, in the group the reference formula gives.
#include <gtest/gtest.h>

#include "allocator/zsmalloc/zs_introspect.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

constexpr int kRatio0 = 0, kRatio100 = 11, kGroups = 12;

int ExpectedGroup(int inuse, int objs) {
  if (inuse == 0) return kRatio0;
  if (inuse == objs) return kRatio100;
  return 100 * inuse / objs / 10 + 1;
}

class FullnessTest : public PoolTest {};

TEST_P(FullnessTest, EveryInuseCountLandsInTheFormulaGroup) {
  // 24 bytes: 32-byte class, kTinyObjsPerZspage objects in one page; kSpan:
  // 13 objects in 5 pages on 4 KiB pages; kHugeRequest: a huge class (one
  // object, one page).
  for (size_t size : {size_t{24}, kSpan.request, kHugeRequest}) {
    const zs_class_info c = ClassOf(size);
    SCOPED_TRACE(testing::Message() << "size " << size << " class " << c.index << " objs "
                                    << c.objs_per_zspage);
    std::vector<unsigned long> handles;
    for (int k = 1; k <= c.objs_per_zspage; k++) {
      const unsigned long h = Malloc(size);
      ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
      handles.push_back(h);
      zs_class_info now{};
      ASSERT_TRUE(v_->introspect->class_info(pool_, c.index, &now));
      for (int fg = 0; fg < kGroups; fg++)
        EXPECT_EQ(now.stats[fg], fg == ExpectedGroup(k, c.objs_per_zspage) ? 1u : 0u)
            << "inuse " << k << " group " << fg;
      EXPECT_EQ(now.stats[12], static_cast<unsigned long>(c.objs_per_zspage)) << "obj_allocated";
      EXPECT_EQ(now.stats[13], static_cast<unsigned long>(k)) << "obj_used";
    }
    // Freeing walks back down through the groups; the last free releases the zspage.
    for (int k = c.objs_per_zspage; k >= 1; k--) {
      Free(handles.back());
      handles.pop_back();
      zs_class_info now{};
      ASSERT_TRUE(v_->introspect->class_info(pool_, c.index, &now));
      const int want = ExpectedGroup(k - 1, c.objs_per_zspage);
      for (int fg = 0; fg < kGroups; fg++)
        EXPECT_EQ(now.stats[fg], (k > 1 && fg == want) ? 1u : 0u) << "inuse " << k - 1 << " group " << fg;
    }
    EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  }
}

// Boundaries spelled out: 1 of 128 is ratio 0 but group 1 (10%); exactly 10 %
// is group 2; 99 % is group 10; full is group 11.
TEST(FullnessFormula, Boundaries) {
  EXPECT_EQ(ExpectedGroup(1, 128), 1);
  EXPECT_EQ(ExpectedGroup(10, 100), 2);
  EXPECT_EQ(ExpectedGroup(9, 100), 1);
  EXPECT_EQ(ExpectedGroup(99, 100), 10);
  EXPECT_EQ(ExpectedGroup(100, 100), 11);
  EXPECT_EQ(ExpectedGroup(0, 100), 0);
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(FullnessTest);

}  // namespace
}  // namespace zsfuzz_test
