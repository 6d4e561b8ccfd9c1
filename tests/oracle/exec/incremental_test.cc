// The incremental per-op snapshot and walk (ExecOptions::incremental,
// oracle::WalkCache) see exactly what reading everything sees: on random
// one-thread programs, every snapshot of an incremental run equals the same
// run's full read, and every cached walk equals a full walk of the same pool.
// A walk skips the classes whose snapshot marks no list holding a zspage
// (zs_class_info::listed); the marks are checked against a walk of every list.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "oracle/exec/class_list.h"
#include "oracle/exec/executor.h"
#include "oracle/invariants.h"
#include "oracle/program/prng.h"
#include "oracle/program/program.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ExecOptions;
using zsfuzz::ExecResult;
using zsfuzz::Op;
using zsfuzz::OpCode;
using zsfuzz::Program;
using zsfuzz::Snapshot;
using zsfuzz::oracle::PoolWalk;

// A program that fills and drains classes: mostly object ops on few sizes
// (so zspages fill up and empty), with every other op now and then, and bulk
// mallocs and frees (one snapshot for all their members; a bulk free's
// slots may be of several classes).
Program RandomProgram(uint64_t seed) {
  zsfuzz::Prng rng(seed);
  Program p;
  p.chain_size = static_cast<unsigned int>(rng.Range(zsfuzz::kMinChainSize, zsfuzz::kMaxChainSize));
  const uint32_t sizes[] = {32, 208, 1000, 2000, 3264, 4096, static_cast<uint32_t>(rng.Range(1, 4096))};
  std::vector<Op> ops;
  uint32_t slots = 0;
  const int n = static_cast<int>(rng.Range(20, 120));
  for (int i = 0; i < n; i++) {
    Op op;
    const uint64_t kind = rng.Below(100);
    if (kind < 6) {
      const bool malloc = kind < 3 || slots < 2;
      const uint32_t first = malloc ? slots : static_cast<uint32_t>(rng.Below(slots - 1));
      const auto members = static_cast<uint32_t>(rng.Range(2, malloc ? 140 : slots - first));
      op.code = malloc ? OpCode::kMalloc : OpCode::kFree;
      op.size = malloc ? sizes[rng.Below(std::size(sizes))] : 0;
      for (uint32_t k = 0; k < members; k++) {
        op.slot = first + k;
        op.bulk = k > 0;
        ops.push_back(op);
      }
      if (malloc) slots += members;
      continue;
    }
    if (kind < 40 || slots == 0) {
      op.code = OpCode::kMalloc;
      op.size = sizes[rng.Below(std::size(sizes))];
      op.slot = slots++;
    } else if (kind < 85) {
      static constexpr OpCode kSlotOps[] = {OpCode::kFree, OpCode::kWrite, OpCode::kRead, OpCode::kReadSg};
      op.code = kSlotOps[rng.Below(std::size(kSlotOps))];
      op.slot = static_cast<uint32_t>(rng.Below(slots));
    } else {
      static constexpr OpCode kOthers[] = {OpCode::kCompact,    OpCode::kShrinkCount, OpCode::kShrinkScan,
                                           OpCode::kIsolate,    OpCode::kMigrate,     OpCode::kPutback,
                                           OpCode::kFlush,      OpCode::kStatPages,   OpCode::kStatPool,
                                           OpCode::kStatClasses};
      op.code = kOthers[rng.Below(std::size(kOthers))];
      if (op.code == OpCode::kShrinkScan) op.value = static_cast<uint32_t>(rng.Range(1, 64));
      if (op.code == OpCode::kIsolate || op.code == OpCode::kMigrate || op.code == OpCode::kPutback) {
        op.slot = static_cast<uint32_t>(rng.Below(slots));
        op.page = static_cast<uint32_t>(rng.Below(4));
      }
    }
    ops.push_back(op);
  }
  p.threads.push_back(std::move(ops));
  zsfuzz::Normalize(&p);
  return p;
}

std::string Diff(const Snapshot& a, const Snapshot& b) {
  if (a.classes.size() != b.classes.size()) return "class count";
  for (size_t k = 0; k < a.classes.size(); k++)
    if (!zsfuzz::SameClassInfo(a.classes[k], b.classes[k]))
      return "class " + std::to_string(a.classes[k].index);
  if (a.total_pages != b.total_pages || a.pages_compacted != b.pages_compacted ||
      a.nr_zspages != b.nr_zspages || a.pages_in_use != b.pages_in_use)
    return "pool counts";
  if (a.live.size() != b.live.size()) return "live count";
  for (size_t k = 0; k < a.live.size(); k++) {
    const zsfuzz::SlotView &x = a.live[k], &y = b.live[k];
    // Not the handle: a slab object's address, different in the second run.
    if (x.slot != y.slot || x.size != y.size || x.generation != y.generation ||
        x.class_index != y.class_index || x.checksum != y.checksum)
      return "slot " + zsfuzz::SlotName(x.slot);
  }
  return "";
}

// Field by field: the struct has padding, which a copy need not keep.
bool SameZspage(const zs_zspage_info& i, const zs_zspage_info& j) {
  const auto fields = [](const zs_zspage_info& z) {
    return std::tie(z.list, z.fullness, z.class_idx, z.magic, z.huge, z.inuse, z.freeobj, z.nr_free,
                    z.free_list_bad, z.nr_allocated, z.nr_pages, z.chain_too_long, z.foreign_mask,
                    z.private_mask, z.zsmalloc_mask, z.movable_mask, z.locked_mask, z.isolated_mask);
  };
  return fields(i) == fields(j) && std::equal(std::begin(i.pfn), std::end(i.pfn), std::begin(j.pfn)) &&
         std::equal(std::begin(i.first_obj_offset), std::end(i.first_obj_offset),
                    std::begin(j.first_obj_offset));
}

std::string Diff(const PoolWalk& a, const PoolWalk& b) {
  if (a.point != b.point || a.total_pages != b.total_pages || a.nr_zspages != b.nr_zspages ||
      a.pages_in_use != b.pages_in_use || a.isolated_pfns != b.isolated_pfns ||
      a.live.size() != b.live.size())
    return "pool";
  if (a.classes.size() != b.classes.size()) return "class count";
  for (size_t k = 0; k < a.classes.size(); k++) {
    const auto &x = a.classes[k], &y = b.classes[k];
    const std::string name = "class " + std::to_string(x.info.index);
    if (!zsfuzz::SameClassInfo(x.info, y.info)) return name + " info";
    if (x.zspages.size() != y.zspages.size()) return name + " zspage count";
    for (size_t z = 0; z < x.zspages.size(); z++) {
      if (!SameZspage(x.zspages[z].info, y.zspages[z].info) || x.zspages[z].handles != y.zspages[z].handles)
        return name + " zspage " + std::to_string(z);
    }
  }
  return "";
}

// A walk of every list of every class, as if no snapshot had said which
// lists are empty; its class infos keep the snapshot's `listed` marks.
PoolWalk WalkEveryList(const zsfuzz::ExecView& view) {
  Snapshot unknown = *view.snapshot;
  for (size_t k = 0; k < unknown.classes.size(); k++)
    unknown.classes[k].listed = zs_class_info::kListedUnknown;
  zsfuzz::ExecView v = view;
  v.snapshot = &unknown;
  PoolWalk w = zsfuzz::oracle::TakeWalk(v);
  for (size_t k = 0; k < w.classes.size(); k++) w.classes[k].info.listed = view.snapshot->classes[k].listed;
  return w;
}

// The lists a walk found zspages on against the snapshot's `listed` marks.
std::string ListedDiff(const PoolWalk& w) {
  for (const auto& c : w.classes) {
    unsigned int found = 0;
    for (const auto& z : c.zspages) found |= 1U << z.info.list;
    if (found != c.info.listed)
      return "class " + std::to_string(c.info.index) + " listed=" + std::to_string(c.info.listed) +
             " walked=" + std::to_string(found);
  }
  return "";
}

// At every quiescent point: the cached walk against a walk of every list,
// and the snapshot's marks of the lists holding a zspage against that walk.
class WalkComparer : public zsfuzz::ExecObserver {
 public:
  bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
    points_++;
    if (view.dirty != nullptr) incremental_points_++;
    const PoolWalk full = WalkEveryList(view);
    for (const auto& c : full.classes) listed_classes_ += c.info.listed != 0;
    std::string d = Diff(cache_.Update(view), full);
    if (d.empty()) d = ListedDiff(full);
    if (!d.empty() && first_.empty()) first_ = std::to_string(points_) + ": " + d;
    return true;
  }
  int points_ = 0;
  int incremental_points_ = 0;
  long listed_classes_ = 0;  // classes with a zspage, summed over the points
  std::string first_;

 private:
  zsfuzz::oracle::WalkCache cache_;
};

TEST(IncrementalSnapshot, EqualsTheFullReadOnRandomPrograms) {
  int incremental_points = 0;
  int bulk_members = 0;
  long listed_classes = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    const Program p = RandomProgram(seed);
    ASSERT_EQ(zsfuzz::Validate(p), "") << "seed " << seed;
    for (const char* variant : {"pre", "post"}) {
      SCOPED_TRACE(std::string(variant) + " seed " + std::to_string(seed));
      WalkComparer walks;
      ExecOptions inc;
      inc.observer = &walks;
      const ExecResult a = zsfuzz::Execute(p, zs_find_variant(variant), inc);
      ExecOptions full;
      full.incremental = false;
      const ExecResult b = zsfuzz::Execute(p, zs_find_variant(variant), full);
      ASSERT_EQ(a.run.trace_hash, b.run.trace_hash);
      ASSERT_EQ(a.after_op.size(), b.after_op.size());
      int taken = 0;
      for (size_t i = 0; i < a.after_op.size(); i++) {
        ASSERT_EQ(a.after_op[i].taken, b.after_op[i].taken) << "after op " << i;
        // A bulk op's snapshot comes after its last member only.
        const bool last_member = i + 1 == p.threads[0].size() || !p.threads[0][i + 1].bulk;
        ASSERT_EQ(a.after_op[i].taken, last_member) << "after op " << i;
        taken += a.after_op[i].taken;
        ASSERT_EQ(Diff(a.after_op[i], b.after_op[i]), "") << "after op " << i;
      }
      bulk_members += static_cast<int>(a.after_op.size()) - taken;
      EXPECT_EQ(walks.first_, "");
      EXPECT_EQ(walks.points_, taken + 2);
      incremental_points += walks.incremental_points_;
      listed_classes += walks.listed_classes_;
    }
  }
  // The comparison is about something: most points were incremental, and
  // the walks met classes with zspages, not only empty ones.
  EXPECT_GT(incremental_points, 1000);
  EXPECT_GT(listed_classes, 1000);
  EXPECT_GT(bulk_members, 1000);
}

// The comparison can fail: a walk cache that is not told a class changed
// keeps the old walk, and the full walk differs from it.
TEST(IncrementalSnapshot, AStaleCachedWalkDiffersFromTheFullWalk) {
  Program p;
  p.chain_size = 8;
  p.threads.push_back({Op{OpCode::kMalloc, 100, 0, 0, 0}, Op{OpCode::kMalloc, 100, 1, 0, 0}});
  struct Stale : zsfuzz::ExecObserver {
    bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
      zsfuzz::ExecView v = view;
      zsfuzz::oracle::DirtyClasses none{};
      if (view.point == zsfuzz::QuiescentPoint::kAfterOp && view.index == 1) v.dirty = &none;
      const std::string d = Diff(cache.Update(v), zsfuzz::oracle::TakeWalk(view));
      if (!d.empty() && diff.empty()) diff = d;
      return true;
    }
    zsfuzz::oracle::WalkCache cache;
    std::string diff;
  } stale;
  ExecOptions o;
  o.observer = &stale;
  zsfuzz::Execute(p, zs_find_variant("post"), o);
  EXPECT_NE(stale.diff.find("class"), std::string::npos) << stale.diff;
}

// The same for the list marks: a snapshot that marks no list of a class
// holding a zspage hides it from the walk, and both comparisons see it.
TEST(IncrementalSnapshot, AListedMarkThatMissesAZspageDiffersFromTheFullWalk) {
  Program p;
  p.chain_size = 8;
  p.threads.push_back({Op{OpCode::kMalloc, 100, 0, 0, 0}});
  struct Unmarked : zsfuzz::ExecObserver {
    bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
      if (view.point != zsfuzz::QuiescentPoint::kAfterOp) return true;
      Snapshot unmarked = *view.snapshot;
      for (size_t k = 0; k < unmarked.classes.size(); k++) unmarked.classes[k].listed = 0;
      zsfuzz::ExecView v = view;
      v.snapshot = &unmarked;
      v.dirty = nullptr;
      PoolWalk skipped = zsfuzz::oracle::TakeWalk(v);
      const PoolWalk full = WalkEveryList(v);
      walk_diff = Diff(skipped, full);
      listed_diff = ListedDiff(full);
      return true;
    }
    std::string walk_diff, listed_diff;
  } unmarked;
  ExecOptions o;
  o.observer = &unmarked;
  zsfuzz::Execute(p, zs_find_variant("post"), o);
  EXPECT_NE(unmarked.walk_diff.find("zspage count"), std::string::npos) << unmarked.walk_diff;
  EXPECT_NE(unmarked.listed_diff.find("listed=0 walked="), std::string::npos) << unmarked.listed_diff;
}

}  // namespace
}  // namespace zsfuzz_test
