// Level 2, the invariant walker (oracle/invariants.h and the variants'
// walk_zspages): what a walk reports for a known pool, no finding at any
// quiescent point of real runs, and each invariant firing on a walk tampered
// the way its bug would leave the pool.
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/bug.h"
#include "oracle/invariants.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::QuiescentPoint;
using zsfuzz::oracle::CheckWalk;
using zsfuzz::oracle::ClassWalk;
using zsfuzz::oracle::PoolWalk;
using zsfuzz::oracle::ZspageRecord;

// Two objects of 100 bytes (class 5: 112 bytes, 7 pages, 256 objects), one of
// 3000 (3 pages), one huge; the 3000-byte one's page 0 isolated, then freed.
constexpr const char* kProgram =
    "threads 1\n"
    "t0: malloc 100 -> a ; malloc 100 -> b ; write b ; malloc 3000 -> c ; malloc 4000 -> d ; "
    "isolate c page 0 ; free c ; free a ; stat_pages\n";

const ClassWalk* FindClass(const PoolWalk& w, unsigned int index) {
  for (const ClassWalk& c : w.classes)
    if (c.info.index == index) return &c;
  return nullptr;
}

PoolWalk WalkAfter(size_t op, const char* variant = "post") {
  WalkCapture capture(QuiescentPoint::kAfterOp, op);
  Exec(kProgram, variant, &capture);
  EXPECT_TRUE(capture.walk.has_value());
  return capture.walk ? *capture.walk : PoolWalk{};
}

TEST(WalkTest, ReportsTheZspagesOfAKnownPool) {
  const PoolWalk w = WalkAfter(4);
  const ClassWalk* c5 = FindClass(w, 5);
  ASSERT_NE(c5, nullptr);
  ASSERT_EQ(c5->zspages.size(), 1u);
  const zs_zspage_info& z = c5->zspages[0].info;
  EXPECT_EQ(c5->info.size, 112);
  EXPECT_EQ(c5->info.pages_per_zspage, 7);
  EXPECT_EQ(c5->info.objs_per_zspage, 256);
  EXPECT_EQ(z.magic, 0x58u);
  EXPECT_EQ(z.class_idx, 5u);
  EXPECT_FALSE(z.huge);
  EXPECT_EQ(z.inuse, 2u);
  EXPECT_EQ(z.list, 1u) << "2 of 256 in use: the 10% group";
  EXPECT_EQ(z.fullness, 1u);
  EXPECT_EQ(z.nr_allocated, 2u);
  EXPECT_EQ(z.nr_free, 254u);
  EXPECT_FALSE(z.free_list_bad);
  ASSERT_EQ(w.live.size(), 4u);
  EXPECT_EQ(c5->zspages[0].handles, (std::vector<unsigned long>{w.live[0].handle, w.live[1].handle}));
  EXPECT_EQ(z.nr_pages, 7u);
  EXPECT_EQ(z.private_mask, 1u);
  EXPECT_EQ(z.zsmalloc_mask, 0x7fu);
  EXPECT_EQ(z.movable_mask, 0x7fu);
  EXPECT_EQ(z.locked_mask | z.foreign_mask | z.isolated_mask, 0u);
  // init_zspage(): page 1's first object starts where object 37 (37 * 112 = 4144) does.
  EXPECT_EQ(z.first_obj_offset[0], 0u);
  EXPECT_EQ(z.first_obj_offset[1], 4144u - 4096u);
  // The huge object: one page, its handle in the page, no free slot.
  bool found_huge = false;
  for (const ClassWalk& c : w.classes) {
    for (const ZspageRecord& zr : c.zspages) {
      if (!zr.info.huge) continue;
      found_huge = true;
      EXPECT_EQ(zr.info.nr_pages, 1u);
      EXPECT_EQ(zr.info.nr_free, 0u);
      EXPECT_EQ(zr.handles, std::vector<unsigned long>{w.live[3].handle});
    }
  }
  EXPECT_TRUE(found_huge);
  // After "isolate c page 0": that page is isolated.
  const PoolWalk w5 = WalkAfter(5);
  unsigned long isolated = 0;
  for (const ClassWalk& c : w5.classes)
    for (const ZspageRecord& zr : c.zspages) isolated += __builtin_popcount(zr.info.isolated_mask);
  EXPECT_EQ(isolated, 1u);
  EXPECT_EQ(w5.isolated_pfns.size(), 1u);
}

TEST(WalkTest, RealRunsKeepEveryInvariantOnEveryVariant) {
  const char* programs[] = {
      kProgram,
      "threads 1\n"
      "t0: malloc 2000 -> a ; malloc 2000 -> b ; malloc 2000 -> c ; malloc 2000 -> d ; free a ; free c ; "
      "compact ; malloc 1560 -> e ; write e ; migrate e page 4 ; migrate e page 2 ; read e ; "
      "malloc 32 -> f ; isolate f page 0 ; putback f page 0 ; shrink_scan 5 ; free e ; flush\n",
      "threads 2\n"
      "t0: malloc 100 -> a ; write a ; free a ; malloc 700 -> c ; write c\n"
      "t1: malloc 100 -> b ; migrate b page 0 ; read b ; compact ; migrate c page 1\n"
      "schedule random seed=7\n",
  };
  size_t n = 0;
  const zs_variant_ops* const* all = zs_variants(&n);
  for (const char* text : programs) {
    for (size_t i = 0; i < n; i++) {
      zsfuzz::oracle::InvariantObserver obs(all[i]->name);
      zsfuzz::ExecOptions opt;
      opt.observer = &obs;
      const zsfuzz::ExecResult r = zsfuzz::Execute(ProgramFromText(text), all[i], opt);
      EXPECT_EQ(r.run.status, zs_sched::RunStatus::kFinished) << r.run.report;
      EXPECT_FALSE(obs.failure()) << all[i]->name << ": " << Got(obs.failure()).headline << "\n" << text;
      EXPECT_FALSE(zsfuzz::oracle::CheckTeardown(r)) << all[i]->name;
    }
  }
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    walk_ = WalkAfter(4);
    ASSERT_FALSE(CheckWalk(walk_, "here", 4));
    c5_ = Class(5);
    ASSERT_NE(c5_, nullptr);
  }
  ClassWalk* Class(unsigned int index) {
    for (ClassWalk& c : walk_.classes)
      if (c.info.index == index) return &c;
    return nullptr;
  }
  zs_zspage_info& Z() { return c5_->zspages.at(0).info; }
  std::string Field() {
    auto f = CheckWalk(walk_, "here", 4);
    if (f) headline_ = Got(f).headline;
    return f ? Got(f).field : "";
  }
  PoolWalk walk_;
  ClassWalk* c5_ = nullptr;
  std::string headline_;
};

TEST_F(TamperTest, ZspageFields) {
  const PoolWalk saved = walk_;
  Z().magic = 0x6b;
  EXPECT_EQ(Field(), "zspage.magic");
  EXPECT_EQ(headline_, "class 5 zspage pfn 0x10000 magic: got=0x6b expected=0x58");
  walk_ = saved, c5_ = Class(5);
  Z().class_idx = 6;
  EXPECT_EQ(Field(), "zspage.class");
  walk_ = saved, c5_ = Class(5);
  Z().huge = true;
  EXPECT_EQ(Field(), "zspage.huge");
  walk_ = saved, c5_ = Class(5);
  Z().nr_pages = 6;
  EXPECT_EQ(Field(), "zspage.pages");
  walk_ = saved, c5_ = Class(5);
  Z().list = 2;
  EXPECT_EQ(Field(), "zspage.list");
  EXPECT_EQ(headline_, "class 5 zspage pfn 0x10000 list: on=20% fullness=10%");
  walk_ = saved, c5_ = Class(5);
  Z().list = Z().fullness = 2;
  EXPECT_EQ(Field(), "zspage.fullness");
  walk_ = saved, c5_ = Class(5);
  Z().nr_allocated = 1;
  EXPECT_EQ(Field(), "zspage.allocated");
  walk_ = saved, c5_ = Class(5);
  Z().free_list_bad = true;
  EXPECT_EQ(Field(), "zspage.freelist");
  walk_ = saved, c5_ = Class(5);
  Z().nr_free = 253;
  EXPECT_EQ(Field(), "zspage.freelist_length");
}

TEST_F(TamperTest, PageFields) {
  const PoolWalk saved = walk_;
  const std::pair<unsigned int zs_zspage_info::*, const char*> masks[] = {
      {&zs_zspage_info::foreign_mask, "page.zspage"}, {&zs_zspage_info::private_mask, "page.private"},
      {&zs_zspage_info::zsmalloc_mask, "page.type"},  {&zs_zspage_info::movable_mask, "page.movable"},
      {&zs_zspage_info::locked_mask, "page.locked"},
  };
  for (const auto& [mask, field] : masks) {
    walk_ = saved, c5_ = Class(5);
    Z().*mask ^= 1U << 3;
    EXPECT_EQ(Field(), field);
  }
  walk_ = saved, c5_ = Class(5);
  Z().first_obj_offset[2] += 8;
  EXPECT_EQ(Field(), "page.first_obj_offset");
}

TEST_F(TamperTest, ClassStatsAgainstARecount) {
  const PoolWalk saved = walk_;
  c5_->info.stats[12] += 256;
  EXPECT_EQ(Field(), "class.obj_allocated");
  EXPECT_EQ(headline_, "class 5 obj_allocated: stat=512 recount=256");
  walk_ = saved, c5_ = Class(5);
  c5_->info.stats[13] -= 1;
  EXPECT_EQ(Field(), "class.obj_used");
  walk_ = saved, c5_ = Class(5);
  c5_->info.stats[1] = 0;
  c5_->info.stats[2] = 1;
  EXPECT_EQ(Field(), "class.10%");
  // A class with no zspage: every stat must still be 0 (the check's shortcut
  // for empty classes passes only an all-zero array).
  walk_ = saved;
  ClassWalk* empty = nullptr;
  for (ClassWalk& c : walk_.classes)
    if (c.zspages.empty()) empty = &c;
  ASSERT_NE(empty, nullptr);
  empty->info.stats[11] = 1;
  EXPECT_EQ(Field(), "class.100%");
  EXPECT_EQ(headline_, absl::StrFormat("class %u 100%%: stat=1 recount=0", empty->info.index));
}

TEST_F(TamperTest, ObjectsAgainstTheLiveSlots) {
  const PoolWalk saved = walk_;
  walk_.live[0].handle ^= 0x1000;
  EXPECT_EQ(Field(), "object.lost");
  walk_ = saved, c5_ = Class(5);
  walk_.live[0].class_index = 6;
  EXPECT_EQ(Field(), "object.class");
  walk_ = saved, c5_ = Class(5);
  walk_.live.erase(walk_.live.begin());
  EXPECT_EQ(Field(), "object.stray");
}

TEST_F(TamperTest, PoolCountsAgainstThePagesHeld) {
  const PoolWalk saved = walk_;
  walk_.total_pages += 7;
  EXPECT_EQ(Field(), "pool.pages_allocated");
  walk_ = saved;
  walk_.nr_zspages -= 1;
  EXPECT_EQ(Field(), "pool.NR_ZSPAGES");
  walk_ = saved;
  walk_.pages_in_use += 1;
  EXPECT_EQ(Field(), "pool.pages_in_use");
  // An isolated page no zspage holds any more counts as in use.
  walk_ = saved;
  walk_.pages_in_use += 1;
  walk_.isolated_pfns.push_back(0x30000);
  EXPECT_EQ(Field(), "");
}

TEST(WalkTest, LeftoversAfterTheDrainAndAfterEmptying) {
  WalkCapture drained(QuiescentPoint::kDrained, 0);
  Exec("threads 1\nt0: malloc 100 -> a ; malloc 100 -> b\n", "post", &drained);
  if (!drained.walk) GTEST_FAIL() << "no walk after the drain";
  EXPECT_FALSE(CheckWalk(*drained.walk, "here", 0));
  PoolWalk w = *drained.walk;
  // Both objects freed but the empty zspage still listed, consistently: what
  // a lost deferred free leaves.
  w.live.clear();
  for (ClassWalk& c : w.classes) {
    if (c.zspages.empty()) continue;
    zs_zspage_info& z = c.zspages[0].info;
    z.inuse = z.nr_allocated = z.list = z.fullness = 0;
    z.nr_free = c.info.objs_per_zspage;
    c.zspages[0].handles.clear();
    c.info.stats[0] = 1;
    c.info.stats[1] = 0;
    c.info.stats[13] = 0;
  }
  w.point = QuiescentPoint::kEmptied;
  auto f = CheckWalk(w, "here", 0);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "leak.zspages");
  w.point = QuiescentPoint::kDrained;
  f = CheckWalk(w, "here", 0);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "drained.empty_zspage");
}

// A WARN (or lockdep report) is caught at the first quiescent point after it.
class WarnAfterOp : public zsfuzz::ExecObserver {
 public:
  explicit WarnAfterOp(uint32_t op) : op_(op), inner_("post") {}
  bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
    if (view.point == QuiescentPoint::kAfterOp && view.index == op_)
      kernel::kernel_warn(__FILE__, __LINE__, "test");
    return inner_.AtQuiescentPoint(view);
  }
  const uint32_t op_;
  zsfuzz::oracle::InvariantObserver inner_;
};

TEST(WalkTest, KernelWarningsAtQuiescentPoints) {
  WarnAfterOp obs(1);
  const zsfuzz::ExecResult r = Exec("threads 1\nt0: malloc 100 -> a ; write a ; free a\n", "post", &obs);
  ASSERT_TRUE(obs.inner_.failure());
  EXPECT_EQ(Got(obs.inner_.failure()).field, "WARN");
  EXPECT_EQ(Got(obs.inner_.failure()).position, 1u);
  EXPECT_EQ(Got(obs.inner_.failure()).where, "after t0 op 1 (write a)");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.warns, 1u);
}

TEST(WalkTest, TeardownCounts) {
  zsfuzz::ExecResult r = Exec("threads 1\nt0: malloc 100 -> a\n", "post");
  EXPECT_FALSE(zsfuzz::oracle::CheckTeardown(r));
  r.pages_in_use_end = 3;
  auto f = zsfuzz::oracle::CheckTeardown(r);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "teardown.pages_in_use");
  EXPECT_EQ(Got(f).headline, "pages in use after zs_destroy_pool: got=3 expected=0");
  r.pages_in_use_end = 0;
  r.nr_zspages_end = -1;
  f = zsfuzz::oracle::CheckTeardown(r);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "teardown.NR_ZSPAGES");
}

}  // namespace
}  // namespace zsfuzz_test
