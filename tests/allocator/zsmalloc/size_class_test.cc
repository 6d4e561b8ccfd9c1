// The size-class table against values derived here from the reference
// formulas (zsmalloc-reference.md 1, 1.1-1.3) for the configuration's page,
// for chain sizes 4, 8 and 16, on every variant.
#include <gtest/gtest.h>

#include <climits>
#include <utility>
#include <vector>

#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/reset.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

constexpr int kPageSize = static_cast<int>(kernel::PAGE_SIZE);
constexpr int kMinAlloc = 32;  // MAX(32, (chain << PAGE_SHIFT) >> obj_idx_bits) is 32 for every chain 4..16
constexpr int kDelta = kPageSize >> 8;                                       // PAGE_SIZE >> CLASS_BITS
constexpr int kClasses = (kPageSize - kMinAlloc + kDelta - 1) / kDelta + 1;  // DIV_ROUND_UP(...) + 1
static_assert(kClasses == static_cast<int>(kSizeClasses));
constexpr int kHandleSize = 8;

// What the derivation gives, worked out apart from it: canonical classes and
// huge_class_size for chains 4, 8 and 16.
struct Summary {
  int chain, canonical, huge_class_size;
};
#if ZS_CONFIG_PAGE_SHIFT == 14
constexpr Summary kSummaries[] = {{4, 70, 13081}, {8, 121, 14553}, {16, 192, 15385}};
#else
constexpr Summary kSummaries[] = {{4, 69, 3257}, {8, 119, 3625}, {16, 192, 3833}};
#endif

struct ExpectedClass {
  int size, pages, objs;
  unsigned int canonical;
};

// Reference 1.1: smallest waste wins, first minimum on a tie; powers of two get one page.
int ChainSize(int size, int max_chain) {
  if ((size & (size - 1)) == 0) return 1;
  int best = 1, min_waste = INT_MAX;
  for (int i = 1; i <= max_chain; i++) {
    const int waste = (i * kPageSize) % size;
    if (waste < min_waste) {
      min_waste = waste;
      best = i;
    }
  }
  return best;
}

struct ExpectedTable {
  std::vector<ExpectedClass> classes;
  int canonical = 0;
  int huge_class_size = 0;
};

// Reference 1.2-1.3: walk from the largest index down, merging equal geometry.
// huge_class_size follows mm/zsmalloc.c's test, pages != 1 && objs != 1 (the
// first class from the top that is neither single-page nor single-object).
ExpectedTable Derive(int chain) {
  ExpectedTable t;
  t.classes.resize(kClasses);
  const ExpectedClass* prev = nullptr;
  for (int i = kClasses - 1; i >= 0; i--) {
    const int size = std::min(kMinAlloc + i * kDelta, kPageSize);
    const int pages = ChainSize(size, chain);
    const int objs = pages * kPageSize / size;
    if (pages != 1 && objs != 1 && t.huge_class_size == 0) t.huge_class_size = size - (kHandleSize - 1);
    if (prev != nullptr && prev->pages == pages && prev->objs == objs) {
      t.classes[i] = *prev;
      continue;
    }
    t.classes[i] = {size, pages, objs, static_cast<unsigned int>(i)};
    prev = &t.classes[i];
    t.canonical++;
  }
  return t;
}

TEST(SizeClassDerivation, MatchesTheSummaryWorkedOutApart) {
  for (const Summary& s : kSummaries) {
    const ExpectedTable t = Derive(s.chain);
    EXPECT_EQ(t.canonical, s.canonical) << "chain " << s.chain;
    EXPECT_EQ(t.huge_class_size, s.huge_class_size) << "chain " << s.chain;
    EXPECT_EQ(t.classes.back().size, kPageSize) << "the last class holds a page";
  }
}

class SizeClassTest : public PoolTest {};

TEST_P(SizeClassTest, MatchesReferenceFormulasForChains4To16) {
  for (int chain : {4, 8, 16}) {
    SCOPED_TRACE(testing::Message() << "chain " << chain);
    RecreatePool(chain);
    ASSERT_EQ(v_->introspect->chain_size(pool_), static_cast<unsigned int>(chain));
    const ExpectedTable want = Derive(chain);
    int canonical = 0;
    for (unsigned int i = 0; i < kClasses; i++) {
      zs_class_info got{};
      ASSERT_TRUE(v_->introspect->class_info(pool_, i, &got)) << "index " << i;
      const ExpectedClass& e = want.classes[i];
      EXPECT_EQ(got.size, e.size) << "index " << i;
      EXPECT_EQ(got.pages_per_zspage, e.pages) << "index " << i;
      EXPECT_EQ(got.objs_per_zspage, e.objs) << "index " << i;
      EXPECT_EQ(got.index, e.canonical) << "index " << i;
      if (got.index == i) canonical++;
    }
    zs_class_info past{};
    EXPECT_FALSE(v_->introspect->class_info(pool_, kClasses, &past));
    EXPECT_EQ(canonical, want.canonical);
    EXPECT_EQ(v_->huge_class_size(pool_), static_cast<size_t>(want.huge_class_size));
  }
}

// Index 96 with chains 8 and 4: the class it resolves to.
struct Class96 {
  int size;
  unsigned int index;
  int pages, objs;
};
#if ZS_CONFIG_PAGE_SHIFT == 14
// 6176 = 32 + 96 * 64 is best in 8 pages (1376 bytes wasted), 21 objects, as
// is 6240 (32 bytes wasted): index 96 merges into 97. With chain 4 the best is
// 2 pages of 5 objects from index 96 up to 101 (6496), where they merge.
constexpr Class96 kClass96Chain8 = {6240, 97, 8, 21};
constexpr Class96 kClass96Chain4 = {6496, 101, 2, 5};
#else
// The worked example of the upstream documentation (reference 1.1): 1568-byte
// objects get a 5-page zspage of 13 with chain >= 5, and merge into the
// 1632-byte class (2 pages, 5 objects) with the old limit of 4.
constexpr Class96 kClass96Chain8 = {1568, 96, 5, 13};
constexpr Class96 kClass96Chain4 = {1632, 100, 2, 5};
#endif

TEST_P(SizeClassTest, DocumentedExampleClass96) {
  for (const auto& [chain, want] : {std::pair{8u, kClass96Chain8}, std::pair{4u, kClass96Chain4}}) {
    SCOPED_TRACE(testing::Message() << "chain " << chain);
    RecreatePool(chain);
    zs_class_info c{};
    ASSERT_TRUE(v_->introspect->class_info(pool_, 96, &c));
    EXPECT_EQ(c.size, want.size);
    EXPECT_EQ(c.index, want.index);
    EXPECT_EQ(c.pages_per_zspage, want.pages);
    EXPECT_EQ(c.objs_per_zspage, want.objs);
  }
}

TEST_P(SizeClassTest, LookupClassIndexDoesNotAddHandleSize) {
  for (unsigned int size : {1u, 32u, 33u, 100u, 1000u, 3000u, 4096u}) {
    zs_class_info c{};
    const unsigned int idx = v_->lookup_class_index(pool_, size);
    ASSERT_TRUE(v_->introspect->class_info(pool_, idx, &c));
    EXPECT_EQ(c.index, idx) << "lookup returns the canonical index";
    EXPECT_GE(c.size, static_cast<int>(size));
  }
}

TEST_P(SizeClassTest, SecondPoolWithAnotherChainIsRefusedWhileOneIsLive) {
  zs_pool* other = v_->create_pool("other", 16);
  EXPECT_EQ(other, nullptr);
  if (other != nullptr) v_->destroy_pool(other);
  zs_pool* same = v_->create_pool("same", 8);
  ASSERT_NE(same, nullptr);
  v_->destroy_pool(same);
}

// A pool that a run abandoned after a BUG is gone with its kernel: after
// kernel_reset() it holds no chain size, so a pool of another one is created
// (it used to be refused, failing the next input in a fuzzing process).
TEST_P(SizeClassTest, PoolAbandonedBeforeAKernelResetHoldsNoChainSize) {
  // Kept reachable for LeakSanitizer, as the executor keeps abandoned pools.
  static auto* abandoned = new std::vector<unsigned long>;
  abandoned->push_back(reinterpret_cast<unsigned long>(pool_));
  abandoned->push_back(Malloc(1000));
  pool_ = nullptr;
  kernel::kernel_reset();
  pool_ = v_->create_pool("test", 16);
  ASSERT_NE(pool_, nullptr) << "refused: the abandoned pool still counts as live";
  EXPECT_EQ(v_->introspect->chain_size(pool_), 16u);
}

TEST_P(SizeClassTest, ChainOutOfRangeIsRefused) {
  v_->destroy_pool(pool_);
  pool_ = nullptr;
  for (unsigned int chain : {0u, 3u, 17u}) EXPECT_EQ(v_->create_pool("bad", chain), nullptr) << chain;
  pool_ = v_->create_pool("test", 8);
  ASSERT_NE(pool_, nullptr);
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(SizeClassTest);

// The debugfs table has the kernel's columns, one row per canonical class and
// a Total row (reference 3, Stats and queries).
TEST_P(SizeClassTest, DebugfsTableShape) {
  kernel::seq_file s;
  v_->classes_show(pool_, &s);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = s.buf.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(s.buf.substr(start, nl - start));
  const ExpectedTable want = Derive(8);
  ASSERT_EQ(lines.size(), static_cast<size_t>(want.canonical) + 3);  // header, rows, blank, Total
  // clang-format off: the header's columns, in order
  const char* columns[] = {"class", "size", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%",
                           "99%", "100%", "obj_allocated", "obj_used", "pages_used", "pages_per_zspage", "freeable"};
  // clang-format on
  size_t pos = 0;
  for (const char* c : columns) {
    pos = lines[0].find(c, pos);
    ASSERT_NE(pos, std::string::npos) << c;
  }
  EXPECT_TRUE(lines[lines.size() - 2].empty());
  EXPECT_EQ(lines.back().rfind(" Total ", 0), 0u) << lines.back();
}

// The debugfs table of a fresh pool is the same text in every variant.
TEST(SizeClassTableText, IdenticalAcrossVariants) {
  std::string first;
  for (const std::string& name : AllVariantNames()) {
    const zs_variant_ops* v = zs_find_variant(name.c_str());
    zs_pool* pool = v->create_pool("cmp", 8);
    ASSERT_NE(pool, nullptr);
    kernel::seq_file s;
    v->classes_show(pool, &s);
    v->destroy_pool(pool);
    ASSERT_NE(s.buf.find("obj_allocated"), std::string::npos);
    if (first.empty())
      first = s.buf;
    else
      EXPECT_EQ(s.buf, first) << name;
  }
}

}  // namespace
}  // namespace zsfuzz_test
