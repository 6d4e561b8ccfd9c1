// Implementation of the shared zsmalloc test fixture.
#include "tests/allocator/zsmalloc/pool_fixture.h"
#include "allocator/zsmalloc/zs_introspect.h"

#include <cstring>

namespace zsfuzz_test {

std::vector<std::string> AllVariantNames() {
  size_t n = 0;
  const zs_variant_ops* const* all = zs_variants(&n);
  std::vector<std::string> names;
  for (size_t i = 0; i < n; i++) names.emplace_back(all[i]->name);
  return names;
}

std::string VariantParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

void PoolTest::SetUp() {
  v_ = zs_find_variant(GetParam().c_str());
  ASSERT_NE(v_, nullptr) << GetParam();
  pages_before_ = kernel::nr_pages_in_use();
  zspages_before_ = kernel::zone_page_state(kernel::NR_ZSPAGES);
  pool_ = v_->create_pool("test", 8);
  ASSERT_NE(pool_, nullptr);
}

void PoolTest::TearDown() {
  if (pool_ == nullptr) return;
  v_->flush_deferred(pool_);
  v_->destroy_pool(pool_);
  pool_ = nullptr;
  // zs_destroy_pool frees no zspage: a test that leaves objects behind leaks
  // pages, and that must fail here, except where a test freed everything.
  EXPECT_EQ(kernel::nr_pages_in_use(), pages_before_) << "pages leaked by the pool";
  EXPECT_EQ(kernel::zone_page_state(kernel::NR_ZSPAGES), zspages_before_);
  EXPECT_EQ(kernel::kernel_warn_count(), 0u);
  EXPECT_EQ(kernel::lockdep_report_count(), 0u) << kernel::lockdep_first_report();
}

void PoolTest::RecreatePool(unsigned int chain_size) {
  v_->destroy_pool(pool_);
  pool_ = v_->create_pool("test", chain_size);
  ASSERT_NE(pool_, nullptr);
}

unsigned long PoolTest::Malloc(size_t size) {
  return v_->malloc(pool_, size, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE);
}

void PoolTest::Free(unsigned long handle) { v_->free(pool_, handle); }

void PoolTest::Write(unsigned long handle, size_t size, uint64_t id, uint64_t gen) {
  std::vector<uint8_t> buf(size);
  for (size_t i = 0; i < size; i++) buf[i] = PatternByte(id, gen, i);
  v_->obj_write(pool_, handle, buf.data(), size);
}

std::vector<uint8_t> PoolTest::Read(unsigned long handle, size_t size) {
  std::vector<uint8_t> local(size);
  void* mem = v_->obj_read_begin(pool_, handle, size, local.data());
  std::vector<uint8_t> out(static_cast<uint8_t*>(mem), static_cast<uint8_t*>(mem) + size);
  v_->obj_read_end(pool_, handle, size, mem);
  return out;
}

std::vector<uint8_t> PoolTest::ReadSg(unsigned long handle, size_t size) {
  kernel::scatterlist sg[2];
  kernel::sg_init_table(sg, 2);
  v_->obj_read_sg_begin(pool_, handle, sg, size);
  std::vector<uint8_t> out;
  for (const kernel::scatterlist& e : sg) {
    if (e.pg == nullptr) break;
    const uint8_t* p = static_cast<const uint8_t*>(kernel::sg_virt(&e));
    out.insert(out.end(), p, p + e.length);
    if (e.end) break;
  }
  v_->obj_read_sg_end(pool_, handle);
  return out;
}

::testing::AssertionResult PoolTest::Verify(unsigned long handle, size_t size, uint64_t id, uint64_t gen) {
  const std::vector<uint8_t> a = Read(handle, size);
  const std::vector<uint8_t> b = ReadSg(handle, size);
  if (b.size() != size)
    return ::testing::AssertionFailure() << "sg read returned " << b.size() << " bytes, not " << size;
  for (size_t i = 0; i < size; i++) {
    const uint8_t want = PatternByte(id, gen, i);
    if (a[i] != want || b[i] != want)
      return ::testing::AssertionFailure()
             << "object " << id << " (size " << size << ") byte " << i << ": want " << int(want)
             << ", read_begin " << int(a[i]) << ", sg " << int(b[i]);
  }
  return ::testing::AssertionSuccess();
}

zs_class_info PoolTest::ClassOf(size_t size) {
  zs_class_info info{};
  // zs_malloc adds the handle size before the class lookup.
  const unsigned int idx =
      v_->lookup_class_index(pool_, static_cast<unsigned int>(size + sizeof(unsigned long)));
  EXPECT_TRUE(v_->introspect->class_info(pool_, idx, &info));
  return info;
}

zs_obj_location PoolTest::Where(unsigned long handle) {
  zs_obj_location loc{};
  EXPECT_TRUE(v_->introspect->obj_location(pool_, handle, &loc));
  return loc;
}

}  // namespace zsfuzz_test
