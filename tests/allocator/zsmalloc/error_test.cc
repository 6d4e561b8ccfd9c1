// Every error path of the API: bad sizes, allocation failures with nothing
// leaked, pool creation failure, and freeing nothing.
#include <gtest/gtest.h>

#include "allocator/zsmalloc/zs_introspect.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

class ErrorTest : public PoolTest {};

TEST_P(ErrorTest, SizeZeroIsEinval) { EXPECT_EQ(kernel::PTR_ERR(Malloc(0)), -EINVAL); }

TEST_P(ErrorTest, SizeOverMaximumIsEnospc) {
  EXPECT_EQ(kernel::PTR_ERR(Malloc(kernel::PAGE_SIZE + 1)), -ENOSPC);
  EXPECT_EQ(kernel::PTR_ERR(Malloc(1 << 20)), -ENOSPC);
  const unsigned long h = Malloc(kernel::PAGE_SIZE);  // the maximum itself is fine
  ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
  Free(h);
}

// The handle comes from a slab: its failure is -ENOMEM before any page moves.
TEST_P(ErrorTest, HandleAllocationFailureIsEnomem) {
  const unsigned long pages = kernel::nr_pages_in_use();
  kernel::fault_inject_slab_alloc(1);
  EXPECT_EQ(kernel::PTR_ERR(Malloc(100)), -ENOMEM);
  kernel::fault_inject_slab_alloc(0);
  EXPECT_EQ(kernel::nr_pages_in_use(), pages);
  const unsigned long h = Malloc(100);
  ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
  Free(h);
}

// A zspage needs every one of its pages: failing the third page of a 5-page
// zspage must give back the two already taken, the zspage and the handle.
TEST_P(ErrorTest, PageAllocationFailureMidZspageLeaksNothing) {
  const size_t size = kSpan.request;
  ASSERT_EQ(ClassOf(size).pages_per_zspage, 5);
  const unsigned long pages = kernel::nr_pages_in_use();
  const unsigned long zspages = kernel::zone_page_state(kernel::NR_ZSPAGES);
  // Let two pages through, then fail.
  kernel::fault_inject_page_alloc_after(2, 1);
  EXPECT_EQ(kernel::PTR_ERR(Malloc(size)), -ENOMEM);
  kernel::fault_inject_page_alloc(0);
  EXPECT_EQ(kernel::nr_pages_in_use(), pages);
  EXPECT_EQ(kernel::zone_page_state(kernel::NR_ZSPAGES), zspages);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  zs_class_info c = ClassOf(size);
  EXPECT_EQ(c.stats[12], 0u);
  // The class works afterwards.
  const unsigned long h = Malloc(size);
  ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
  Write(h, size, 1);
  EXPECT_TRUE(Verify(h, size, 1));
  Free(h);
}

// An allocation that fits an existing zspage needs no page, so page failure
// does not affect it.
TEST_P(ErrorTest, PageFailureDoesNotAffectAllocationIntoExistingZspage) {
  const unsigned long a = Malloc(100);
  ASSERT_FALSE(kernel::IS_ERR_VALUE(a));
  kernel::fault_inject_page_alloc(-1);
  const unsigned long b = Malloc(100);
  EXPECT_FALSE(kernel::IS_ERR_VALUE(b));
  EXPECT_EQ(kernel::PTR_ERR(Malloc(3000)), -ENOMEM);  // another class needs a new zspage
  kernel::fault_inject_page_alloc(0);
  Free(a);
  if (!kernel::IS_ERR_VALUE(b)) Free(b);
}

TEST_P(ErrorTest, FreeOfNullOrErrorHandleIsANoOp) {
  Free(0);
  Free(kernel::ERR_VALUE(-ENOMEM));
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
}

// Pool creation failing at any of its allocations (the pool, its name, any of
// the size classes) returns NULL and frees what it had built.
TEST_P(ErrorTest, CreatePoolFailureAtEveryAllocationLeaksNothing) {
  v_->destroy_pool(pool_);
  pool_ = nullptr;
  int failures = 0;
  for (long skip = 0; skip < 400; skip++) {
    kernel::fault_inject_slab_alloc_after(skip, 1);
    zs_pool* p = v_->create_pool("fail", 8);
    kernel::fault_inject_slab_alloc(0);
    if (p == nullptr) {
      failures++;
      continue;
    }
    v_->destroy_pool(p);
    break;  // got past every allocation
  }
  EXPECT_GT(failures, 3) << "pool, name and several classes";
  pool_ = v_->create_pool("test", 8);
  ASSERT_NE(pool_, nullptr);
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(ErrorTest);

}  // namespace
}  // namespace zsfuzz_test
