// malloc / write / read / free round trips in every class, objects that span
// two pages, huge objects, and where objects are placed (obj decoding).
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "allocator/zsmalloc/zs_introspect.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

constexpr size_t kHandleSize = 8;

class AllocTest : public PoolTest {};

// For every canonical class, fill more than one zspage with objects of the
// largest size the class holds, verify them all, then free them all.
TEST_P(AllocTest, RoundTripInEveryClass) {
  for (unsigned int i = 0; i < kSizeClasses; i++) {
    zs_class_info c{};
    ASSERT_TRUE(v_->introspect->class_info(pool_, i, &c));
    if (c.index != i) continue;
    const bool huge = c.objs_per_zspage == 1 && c.pages_per_zspage == 1;
    // A huge object has no header; zs_malloc still adds the handle size for the lookup.
    const size_t size = std::min<size_t>(c.size - kHandleSize, kernel::PAGE_SIZE);
    SCOPED_TRACE(testing::Message() << "class " << i << " size " << size);
    ASSERT_EQ(ClassOf(size).index, i);
    std::vector<unsigned long> handles;
    const int n = c.objs_per_zspage + 1;
    for (int k = 0; k < n; k++) {
      const unsigned long h = Malloc(size);
      ASSERT_FALSE(kernel::IS_ERR_VALUE(h)) << kernel::PTR_ERR(h);
      Write(h, size, i * 1000 + k);
      handles.push_back(h);
    }
    for (int k = 0; k < n; k++) ASSERT_TRUE(Verify(handles[k], size, i * 1000 + k));
    zs_class_info after{};
    ASSERT_TRUE(v_->introspect->class_info(pool_, i, &after));
    EXPECT_EQ(after.stats[12], 2u * c.objs_per_zspage) << "two zspages allocated";
    EXPECT_EQ(after.stats[13], static_cast<unsigned long>(n));
    EXPECT_EQ(v_->get_total_pages(pool_), 2u * c.pages_per_zspage);
    EXPECT_EQ(Where(handles[0]).huge, huge);
    for (unsigned long h : handles) Free(h);
    EXPECT_EQ(v_->get_total_pages(pool_), 0u);
  }
}

// The smallest sizes: 1 byte lands in class 0 (32 bytes).
TEST_P(AllocTest, TinyObjects) {
  for (size_t size : {1u, 7u, 8u, 24u}) {
    const unsigned long h = Malloc(size);
    ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
    EXPECT_EQ(ClassOf(size).index, 0u);
    Write(h, size, size);
    EXPECT_TRUE(Verify(h, size, size));
    Free(h);
  }
}

// In kSpan's class some objects cross a page boundary: read_begin must hand
// back the caller's copy for them, the sg read must have two entries, and
// write must put both parts in place.
TEST_P(AllocTest, ObjectsSpanningTwoPages) {
  const size_t size = kSpan.request;
  const zs_class_info c = ClassOf(size);
  ASSERT_EQ(c.size, kSpan.size);
  ASSERT_EQ(c.objs_per_zspage, kSpan.objs);
  std::vector<unsigned long> handles;
  int spanning = 0;
  for (int k = 0; k < c.objs_per_zspage; k++) {
    const unsigned long h = Malloc(size);
    ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
    Write(h, size, k);
    handles.push_back(h);
  }
  for (int k = 0; k < c.objs_per_zspage; k++) {
    const unsigned long h = handles[k];
    const zs_obj_location loc = Where(h);
    const unsigned long start =
        static_cast<unsigned long>(c.size) * loc.obj_idx % kernel::PAGE_SIZE + kHandleSize;
    const bool spans = start + size > kernel::PAGE_SIZE;
    spanning += spans;
    std::vector<uint8_t> local(size);
    void* mem = v_->obj_read_begin(pool_, h, size, local.data());
    EXPECT_EQ(mem == local.data(), spans) << "obj_idx " << loc.obj_idx;
    if (!spans) {
      // In place: the pointer is the object's bytes in its page, right after the header.
      EXPECT_EQ(mem, static_cast<char*>(kernel::page_address(kernel::pfn_to_page(loc.pfn))) + start);
    }
    v_->obj_read_end(pool_, h, size, mem);
    kernel::scatterlist sg[2];
    kernel::sg_init_table(sg, 2);
    v_->obj_read_sg_begin(pool_, h, sg, size);
    EXPECT_EQ(sg[1].pg != nullptr, spans);
    if (spans) EXPECT_EQ(sg[0].length + sg[1].length, size);
    v_->obj_read_sg_end(pool_, h);
    EXPECT_TRUE(Verify(h, size, k));
  }
  EXPECT_EQ(spanning, kSpan.spanning);
  for (unsigned long h : handles) Free(h);
}

// Huge objects: the data starts at offset 0 of a page of their own.
TEST_P(AllocTest, HugeObjects) {
  const size_t huge = v_->huge_class_size(pool_);
  for (size_t size : {huge, huge + 100, size_t{kernel::PAGE_SIZE}}) {
    const unsigned long h = Malloc(size);
    ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
    const zs_obj_location loc = Where(h);
    EXPECT_TRUE(loc.huge);
    EXPECT_EQ(loc.obj_idx, 0u);
    Write(h, size, size);
    std::vector<uint8_t> local(size);
    void* mem = v_->obj_read_begin(pool_, h, size, local.data());
    EXPECT_EQ(mem, kernel::page_address(kernel::pfn_to_page(loc.pfn)));
    v_->obj_read_end(pool_, h, size, mem);
    EXPECT_TRUE(Verify(h, size, size));
    Free(h);
  }
  // One byte below huge_class_size is not huge.
  const unsigned long h = Malloc(huge - 1);
  ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
  EXPECT_FALSE(Where(h).huge);
  Free(h);
}

// Decoding every live handle gives distinct (pfn, obj_idx) pairs inside the
// object's own zspage, the right class, and an index below objs_per_zspage.
TEST_P(AllocTest, ObjLocationsAreDistinctAndInsideTheirZspage) {
  std::set<std::pair<unsigned long, unsigned int>> seen;
  std::vector<unsigned long> handles;
  for (size_t size : {size_t{24}, size_t{200}, kSpan.request, size_t{3000}, kHugeRequest}) {
    const zs_class_info c = ClassOf(size);
    for (int k = 0; k < 2 * c.objs_per_zspage + 1; k++) {
      const unsigned long h = Malloc(size);
      ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
      handles.push_back(h);
      const zs_obj_location loc = Where(h);
      EXPECT_EQ(loc.class_idx, c.index);
      EXPECT_LT(loc.obj_idx, static_cast<unsigned int>(c.objs_per_zspage));
      EXPECT_TRUE(seen.insert({loc.pfn, loc.obj_idx}).second) << "duplicate location";
      // The object starts in page obj_idx * size / PAGE_SIZE of its zspage.
      kernel::page* p = v_->introspect->zspage_page(
          pool_, h, static_cast<unsigned int>(c.size * loc.obj_idx / kernel::PAGE_SIZE));
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(kernel::page_to_pfn(p), loc.pfn);
    }
  }
  for (unsigned long h : handles) Free(h);
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(AllocTest);

}  // namespace
}  // namespace zsfuzz_test
