// Compaction (reference 3, Compaction): it moves objects out of sparse
// zspages, frees their pages, and keeps stats, the shrinker and contents right.
#include <gtest/gtest.h>

#include "allocator/zsmalloc/zs_introspect.h"
#include "tests/allocator/zsmalloc/pool_fixture.h"

namespace zsfuzz_test {
namespace {

class CompactTest : public PoolTest {};

// Four full 1-page zspages of 32-byte objects, three of every four objects
// freed: N live objects spread at 25 % over 4 zspages of N objects (N is 128
// on 4 KiB pages). zs_can_compact says (4N - N) / N * 1 = 3 pages, and
// compaction frees exactly those.
TEST_P(CompactTest, FreesTheWastedZspagesAndKeepsContents) {
  constexpr int kObjs = kTinyObjsPerZspage;
  const size_t size = 24;
  const zs_class_info c = ClassOf(size);
  ASSERT_EQ(c.objs_per_zspage, kObjs);
  ASSERT_EQ(c.pages_per_zspage, 1);
  std::vector<unsigned long> all;
  for (int k = 0; k < 4 * kObjs; k++) {
    const unsigned long h = Malloc(size);
    ASSERT_FALSE(kernel::IS_ERR_VALUE(h));
    Write(h, size, k);
    all.push_back(h);
  }
  std::vector<std::pair<unsigned long, int>> live;
  for (int k = 0; k < 4 * kObjs; k++) {
    if (k % 4 == 0)
      live.push_back({all[k], k});
    else
      Free(all[k]);
  }
  EXPECT_EQ(v_->get_total_pages(pool_), 4u);
  EXPECT_EQ(v_->shrinker_count(pool_), 3u);
  std::vector<unsigned long> pfn_before;
  for (auto& [h, id] : live) pfn_before.push_back(Where(h).pfn);

  EXPECT_EQ(v_->compact(pool_), 3u);

  zs_pool_stats st{};
  v_->pool_stats(pool_, &st);
  EXPECT_EQ(st.pages_compacted, 3);
  EXPECT_EQ(v_->get_total_pages(pool_), 1u);
  EXPECT_EQ(v_->shrinker_count(pool_), 0u);
  zs_class_info after{};
  ASSERT_TRUE(v_->introspect->class_info(pool_, c.index, &after));
  EXPECT_EQ(after.stats[12], static_cast<unsigned long>(kObjs)) << "obj_allocated";
  EXPECT_EQ(after.stats[13], static_cast<unsigned long>(kObjs)) << "obj_used";
  EXPECT_EQ(after.stats[11], 1u) << "one full zspage";
  int moved = 0;
  for (size_t i = 0; i < live.size(); i++) {
    ASSERT_TRUE(Verify(live[i].first, size, live[i].second));
    moved += Where(live[i].first).pfn != pfn_before[i];
  }
  EXPECT_EQ(moved, 3 * kObjs / 4) << "three zspages' objects moved into the fourth";
  // Nothing left to do: the shrinker says stop.
  EXPECT_EQ(v_->shrinker_scan(pool_, 128), kernel::SHRINK_STOP);
  for (auto& [h, id] : live) Free(h);
  EXPECT_EQ(v_->get_total_pages(pool_), 0u);
}

// A page lock held elsewhere (a migration waiting for pool->lock, say) makes
// free_zspage() leave each emptied zspage to the deferred free. Compaction
// counts those pages as freed all the same (reference 3, __zs_compact), and
// the oracle's probe (kernel/sched.h) counts them as released by this task.
TEST_P(CompactTest, CountsTheZspagesItLeftToTheDeferredFree) {
  constexpr int kObjs = kTinyObjsPerZspage;
  const size_t size = 24;  // 1-page zspages of kObjs objects
  std::vector<unsigned long> all, live;
  for (int k = 0; k < 4 * kObjs; k++) all.push_back(Malloc(size));
  for (int k = 0; k < 4 * kObjs; k++) {
    if (k % 4 == 0)
      live.push_back(all[k]);
    else
      Free(all[k]);
  }
  ASSERT_EQ(v_->get_total_pages(pool_), 4u);
  std::vector<kernel::page*> held;
  held.reserve(4);
  for (int z = 0; z < 4; z++) held.push_back(v_->introspect->zspage_page(pool_, live[kObjs / 4 * z], 0));
  // Trylocks: one task holding four page locks is no lockdep recursion then.
  for (kernel::page* p : held) ASSERT_TRUE(kernel::trylock_page(p));
  const unsigned long released = kernel::get_current()->pages_released;
  EXPECT_EQ(v_->compact(pool_), 3u);
  EXPECT_EQ(kernel::get_current()->pages_released, released + 3);
  EXPECT_EQ(v_->get_total_pages(pool_), 4u) << "nothing freed yet";
  for (kernel::page* p : held) kernel::unlock_page(p);
  v_->flush_deferred(pool_);
  EXPECT_EQ(v_->get_total_pages(pool_), 1u);
  EXPECT_EQ(kernel::get_current()->pages_released, released + 3) << "the worker's free is the worker's";
  for (unsigned long h : live) Free(h);
}

// The debugfs row of the class follows: freeable before, pages_used after.
TEST_P(CompactTest, ClassTableReflectsCompaction) {
  const size_t size = kSpan.request;
  const int objs = kSpan.objs, pages = kSpan.pages;
  std::vector<unsigned long> hs;
  hs.reserve(2 * objs);
  for (int k = 0; k < 2 * objs; k++) hs.push_back(Malloc(size));
  for (int k = 0; k < 2 * objs; k++)
    if (k % 2) Free(hs[k]);
  const zs_class_info c = ClassOf(size);
  auto row = [&]() {
    kernel::seq_file s;
    v_->classes_show(pool_, &s);
    char prefix[32];
    snprintf(prefix, sizeof(prefix), " %5u %5u ", c.index, c.size);
    const size_t at = s.buf.find(prefix);
    EXPECT_NE(at, std::string::npos);
    return s.buf.substr(at, s.buf.find('\n', at) - at);
  };
  // obj_allocated, obj_used, pages_used, pages_per_zspage, freeable as the
  // table prints them.
  auto columns = [](int allocated, int used, int pages_used, int per_zspage, int freeable) {
    char text[80];
    snprintf(text, sizeof(text), "%13d%11d%11d%17d%9d", allocated, used, pages_used, per_zspage, freeable);
    return std::string(text);
  };
  // 26 allocated, 13 used on 4 KiB pages: 13 wasted objects = one zspage = 5
  // pages freeable.
  EXPECT_NE(row().find(columns(2 * objs, objs, 2 * pages, pages, pages)), std::string::npos) << row();
  EXPECT_EQ(v_->shrinker_scan(pool_, pages), static_cast<unsigned long>(pages));
  EXPECT_NE(row().find(columns(objs, objs, pages, pages, 0)), std::string::npos) << row();
  for (int k = 0; k < 2 * objs; k += 2) Free(hs[k]);
}

ZS_INSTANTIATE_FOR_ALL_VARIANTS(CompactTest);

}  // namespace
}  // namespace zsfuzz_test
