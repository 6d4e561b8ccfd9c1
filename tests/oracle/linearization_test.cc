// Level 5, linearization replay (oracle/linearization.h): the class->lock
// record of real runs, the order Linearize builds from it and every reason
// it refuses one (on crafted records), the replay of real runs matching on
// the other variant, and every compared field reported on records tampered
// to differ.
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <string>

#include "kernel/shrinker.h"
#include "oracle/check.h"
#include "oracle/linearization.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ClassLockEntry;
using zsfuzz::ExecOptions;
using zsfuzz::ExecResult;
using zsfuzz::OpCode;
using zsfuzz::OpStatus;
using zsfuzz::Program;
using zsfuzz::oracle::CompareReplay;
using zsfuzz::oracle::Linearization;
using zsfuzz::oracle::Linearize;

// Two zspages of class 190 (3000 bytes: 4 objects in 3 pages) filled, then
// three objects of each freed, beside a compaction: when the compaction
// comes after the frees, it moves one object and frees a zspage.
constexpr const char* kCompaction =
    "threads 2\n"
    "t0: malloc 3000 -> a ; malloc 3000 -> b ; malloc 3000 -> c ; malloc 3000 -> d ; malloc 3000 -> e ; "
    "malloc 3000 -> f ; malloc 3000 -> g ; malloc 3000 -> h ; free a ; free b ; free c ; free e ; free f ; "
    "free g ; malloc 40 -> i\n"
    "t1: malloc 40 -> j ; write j ; compact ; free j\n";

ExecResult Recorded(const Program& p, const char* variant) {
  ExecOptions o;
  o.record_class_locks = true;
  return zsfuzz::Execute(p, Variant(variant), o);
}

ExecResult Replayed(const Linearization& lin, const char* variant) {
  ExecOptions o;
  o.snapshots = false;
  return zsfuzz::Execute(lin.replay, Variant(variant), o);
}

Program WithSchedule(const char* text, int seed) {
  return ProgramFromText(std::string(text) + "schedule pct depth=2 seed=" + std::to_string(seed) + "\n");
}

TEST(ClassLockRecord, NamesEachAcquisitionsClassThreadAndOp) {
  const Program p = WithSchedule(kCompaction, 1);
  const ExecResult r = Recorded(p, "post");
  ASSERT_TRUE(r.class_locks_recorded);
  std::set<unsigned> compacted;
  std::vector<const ClassLockEntry*> malloc_3000;
  for (const ClassLockEntry& e : r.class_locks) {
    ASSERT_GE(e.thread, 0) << "no kworker takes a class lock in this program";
    const zsfuzz::Op& op = p.threads[e.thread][e.op];
    if (op.code == OpCode::kCompact) compacted.insert(e.class_index);
    if (op.code == OpCode::kMalloc && op.size == 3000) {
      EXPECT_EQ(e.class_index, 190u);
      malloc_3000.push_back(&e);
    }
  }
  // The first malloc finds nothing allocated (full: no room) and comes back
  // with a zspage (still full); the second finds three free objects.
  ASSERT_GE(malloc_3000.size(), 3u);
  EXPECT_EQ(malloc_3000[0]->op, 0u);
  EXPECT_TRUE(malloc_3000[0]->class_full);
  EXPECT_TRUE(malloc_3000[1]->class_full);
  EXPECT_EQ(malloc_3000[2]->op, 1u);
  EXPECT_FALSE(malloc_3000[2]->class_full);
  // zs_compact() takes every canonical class's lock once at least.
  EXPECT_EQ(compacted.size(), r.locks.class_locks.size());
  // A one-thread run and a run without the option record nothing.
  EXPECT_FALSE(zsfuzz::Execute(p, Variant("post"), {}).class_locks_recorded);
}

// What the replay takes: the drained counts only, the same as a full run's.
TEST(CountsOnly, TheDrainedCountsWithoutTheTableOrTheEmptiedPool) {
  const Program p = WithSchedule(kCompaction, 2);
  ExecOptions o;
  o.snapshots = false;
  const ExecResult full = zsfuzz::Execute(p, Variant("pre"), o);
  o.counts_only = true;
  const ExecResult counts = zsfuzz::Execute(p, Variant("pre"), o);
  ASSERT_TRUE(counts.drained.taken);
  EXPECT_FALSE(counts.emptied.taken);
  EXPECT_TRUE(full.emptied.taken);
  EXPECT_TRUE(counts.drained.class_table.text().empty());
  EXPECT_FALSE(full.drained.class_table.text().empty());
  ASSERT_EQ(counts.drained.classes.size(), full.drained.classes.size());
  for (size_t k = 0; k < full.drained.classes.size(); k++)
    EXPECT_TRUE(zsfuzz::SameClassInfo(counts.drained.classes[k], full.drained.classes[k])) << k;
  EXPECT_EQ(counts.drained.total_pages, full.drained.total_pages);
  EXPECT_EQ(counts.drained.shrinker_count, full.drained.shrinker_count);
  EXPECT_TRUE(counts.teardown_done);
  EXPECT_EQ(counts.pages_in_use_end, 0);
}

TEST(Linearize, ReplaysMatchOnTheOtherVariantAndCompactionMovesObjectsInSome) {
  int exact = 0, compacted = 0;
  for (int seed = 1; seed <= 30; seed++) {
    const Program p = WithSchedule(kCompaction, seed);
    for (const auto& [recorded, other] : {std::pair{"post", "pre"}, std::pair{"pre", "post"}}) {
      const ExecResult r = Recorded(p, recorded);
      const Linearization lin = Linearize(p, r);
      if (!lin.exact()) continue;
      exact++;
      ASSERT_EQ(lin.replay.threads.size(), 1u);
      ASSERT_EQ(lin.replay.threads[0].size(), lin.origin.size());
      const ExecResult replayed = Replayed(lin, other);
      EXPECT_FALSE(CompareReplay(p, r, lin, replayed))
          << "seed " << seed << " " << recorded << ": " << Got(CompareReplay(p, r, lin, replayed)).headline;
      for (size_t k = 0; k < lin.origin.size(); k++) {
        if (lin.replay.threads[0][k].code == OpCode::kCompact && replayed.ops[0][k].value > 0) compacted++;
      }
    }
  }
  EXPECT_GT(exact, 10) << "most of these schedules keep each op's sections together";
  EXPECT_GT(compacted, 0) << "some replays compact after the frees";
}

// A record written by hand: ops of the program, every one done.
struct Crafted {
  explicit Crafted(const char* text) : program(ProgramFromText(text)) {
    run.variant = Variant("post");
    run.class_locks_recorded = true;
    run.ops.resize(program.threads.size());
    for (size_t t = 0; t < program.threads.size(); t++) {
      run.ops[t].resize(program.threads[t].size());
      for (auto& r : run.ops[t]) r.status = OpStatus::kDone;
    }
  }
  Crafted& Lock(int thread, uint32_t op, unsigned class_index, bool zspage_lock_elsewhere = false) {
    ClassLockEntry e;
    e.thread = static_cast<int16_t>(thread);
    e.op = op;
    e.class_index = static_cast<uint16_t>(class_index);
    e.zspage_lock_elsewhere = zspage_lock_elsewhere;
    run.class_locks.push_back(e);
    return *this;
  }
  std::string NotExact() const { return Linearize(program, run).not_exact; }
  Program program;
  ExecResult run;
};

TEST(Linearize, OrdersOpsByTheirClassSectionsNotByThread) {
  Crafted c(
      "threads 2\n"
      "t0: malloc 40 -> a ; free a\n"
      "t1: malloc 40 -> b ; stat_classes ; free b\n");
  // t1's malloc first; its stat_classes read changes nothing and is left out.
  c.Lock(1, 0, 1).Lock(1, 1, 1).Lock(0, 0, 1).Lock(1, 1, 1).Lock(1, 2, 1).Lock(0, 1, 1);
  const Linearization lin = Linearize(c.program, c.run);
  ASSERT_TRUE(lin.exact()) << lin.not_exact;
  EXPECT_EQ(PrintProgram(lin.replay),
            "# zsfuzz program v1\nthreads 1\nt0: malloc 40 -> a ; malloc 40 -> b ; free a ; free b\n"
            "schedule random seed=0\n");
  const std::vector<std::pair<int, uint32_t>> origin = {{1, 0}, {0, 0}, {1, 2}, {0, 1}};
  EXPECT_EQ(lin.origin, origin);
}

TEST(Linearize, AnOpWithLocksInSeveralClassesKeepsEachClassOrder) {
  // The compaction's class 5 section comes after t0's malloc there, its
  // class 9 section before t1's malloc there.
  Crafted c(
      "threads 3\n"
      "t0: malloc 100 -> a\n"
      "t1: malloc 200 -> b\n"
      "t2: compact\n");
  c.Lock(1, 0, 9).Lock(2, 0, 9).Lock(0, 0, 5).Lock(2, 0, 5);
  const Linearization lin = Linearize(c.program, c.run);
  ASSERT_TRUE(lin.exact()) << lin.not_exact;
  const std::vector<std::pair<int, uint32_t>> origin = {{1, 0}, {0, 0}, {2, 0}};
  EXPECT_EQ(lin.origin, origin);
}

TEST(Linearize, AMallocBackToAClassStillWithoutRoomIsWholeAtItsLastSection) {
  // t0's malloc found no room, dropped the lock to allocate a zspage, and
  // t1's free ran in between; the free left no room (its object was the
  // zspage's last), so t0's malloc run whole after it allocates too.
  Crafted c(
      "threads 2\n"
      "t0: malloc 40 -> a\n"
      "t1: malloc 40 -> b ; free b\n");
  c.Lock(1, 0, 1).Lock(0, 0, 1).Lock(1, 1, 1).Lock(0, 0, 1);
  c.run.class_locks.back().class_full = true;
  Linearization lin = Linearize(c.program, c.run);
  ASSERT_TRUE(lin.exact()) << lin.not_exact;
  const std::vector<std::pair<int, uint32_t>> origin = {{1, 0}, {1, 1}, {0, 0}};
  EXPECT_EQ(lin.origin, origin);
  // Back to a class with room, the same malloc run whole would have used it.
  c.run.class_locks.back().class_full = false;
  EXPECT_EQ(c.NotExact(), "t0 op 0 (malloc 40 -> a): its sections in class 1 are split by t1 op 1 (free b)");
}

TEST(Linearize, RefusesWhatNoSequenceOfWholeOpsDoes) {
  const char* two_mallocs = "threads 2\nt0: malloc 40 -> a\nt1: malloc 40 -> b\n";
  {
    Crafted c(two_mallocs);
    c.Lock(0, 0, 1).Lock(1, 0, 1).Lock(0, 0, 1);
    EXPECT_EQ(c.NotExact(),
              "t0 op 0 (malloc 40 -> a): its sections in class 1 are split by t1 op 0 (malloc 40 -> b)");
  }
  {
    Crafted c(two_mallocs);
    c.Lock(0, 0, 1).Lock(-1, 0, 1).Lock(1, 0, 1);
    EXPECT_EQ(c.NotExact(), "a task outside the program took class 1's lock (a deferred free)");
  }
  {
    Crafted c("threads 2\nt0: malloc 40 -> a ; read a\nt1: compact\n");
    c.Lock(0, 0, 1).Lock(1, 0, 1, /*zspage_lock_elsewhere=*/true);
    EXPECT_EQ(
        c.NotExact(),
        "t1 op 0 (compact) took class 1's lock while another thread may have held one of its zspage locks");
  }
  {
    Crafted c("threads 2\nt0: compact\nt1: shrink_scan 10\n");
    c.Lock(0, 0, 1);
    EXPECT_EQ(c.NotExact(),
              "t1 op 0 (shrink_scan 10) took no class lock (another compaction was in progress)");
  }
  {
    Crafted c("threads 2\nt0: malloc 40 -> a\nt1: fail_pages 1 ; malloc 40 -> b\n");
    c.Lock(0, 0, 1).Lock(1, 1, 1);
    EXPECT_EQ(c.NotExact(), "fail_pages or fail_slab armed an injector");
  }
  {
    Crafted c("threads 2\nt0: compact\nt1: compact\n");
    c.Lock(0, 0, 9).Lock(1, 0, 9).Lock(1, 0, 5).Lock(0, 0, 5);
    EXPECT_EQ(c.NotExact(), "the classes' orders admit no common order");
  }
  {
    Crafted c(two_mallocs);
    c.run.class_locks_recorded = false;
    EXPECT_EQ(c.NotExact(), "no class->lock record");
  }
}

// A run of kCompaction whose order replays, with the replay on pre.
class ReplayDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int seed = 1; seed <= 30 && !found_; seed++) {
      program_ = WithSchedule(kCompaction, seed);
      recorded_ = Recorded(program_, "post");
      lin_ = Linearize(program_, recorded_);
      if (!lin_.exact()) continue;
      replayed_ = Replayed(lin_, "pre");
      for (size_t k = 0; k < lin_.origin.size(); k++) {
        if (lin_.replay.threads[0][k].code == OpCode::kCompact && replayed_.ops[0][k].value > 0) compact_ = k;
      }
      found_ = compact_ != SIZE_MAX;
    }
    ASSERT_TRUE(found_) << "no schedule of 1..30 replays a compaction that moves objects";
    ASSERT_FALSE(CompareReplay(program_, recorded_, lin_, replayed_));
  }
  std::string Field(const ExecResult& recorded, const ExecResult& replayed) {
    auto f = CompareReplay(program_, recorded, lin_, replayed);
    headline_ = Got(f).headline;
    where_ = Got(f).where;
    return f ? Got(f).field : "";
  }
  bool found_ = false;
  size_t compact_ = SIZE_MAX;
  Program program_;
  ExecResult recorded_, replayed_;
  Linearization lin_;
  std::string headline_, where_;
};

TEST_F(ReplayDiff, OpResults) {
  const auto [t, i] = lin_.origin[compact_];
  ExecResult r = recorded_;
  r.ops[t][i].value = 0;
  EXPECT_EQ(Field(r, replayed_), "replay.compact");
  EXPECT_EQ(headline_, "compact returned: post=0 pre=" + std::to_string(replayed_.ops[0][compact_].value));
  EXPECT_NE(where_.find("t1 op 2 (compact)"), std::string::npos) << where_;
  EXPECT_NE(where_.find("post's order replayed on pre"), std::string::npos) << where_;

  r = recorded_;
  const auto [mt, mi] = lin_.origin[0];
  ASSERT_EQ(program_.threads[mt][mi].code, OpCode::kMalloc);
  r.ops[mt][mi].err = -ENOMEM;
  EXPECT_EQ(Field(r, replayed_), "replay.malloc");

  r = recorded_;
  r.ops[mt][mi].status = OpStatus::kNoSlot;
  EXPECT_EQ(Field(r, replayed_), "replay.status");
}

TEST_F(ReplayDiff, DrainedClassesAndPageCounts) {
  size_t k = 0;
  while (recorded_.drained.classes[k].index != 190) k++;
  ExecResult r = recorded_;
  r.drained.classes[k].stats[12] += 4;  // obj_allocated: one more zspage
  EXPECT_EQ(Field(r, replayed_), "replay.class.obj_allocated");
  EXPECT_EQ(headline_, "class 190 obj_allocated: post=" + std::to_string(r.drained.classes[k].stats[12]) +
                           " pre=" + std::to_string(replayed_.drained.classes[k].stats[12]));
  EXPECT_NE(where_.find("after the drain"), std::string::npos) << where_;

  r = recorded_;
  r.drained.classes[k].stats[11]++;
  EXPECT_EQ(Field(r, replayed_), "replay.class.100%");

  struct Tamper {
    const char* field;
    void (*apply)(zsfuzz::Snapshot*);
  };
  const Tamper tampers[] = {
      {"replay.pool.total_pages", [](zsfuzz::Snapshot* s) { s->total_pages += 3; }},
      {"replay.pool.NR_ZSPAGES", [](zsfuzz::Snapshot* s) { s->nr_zspages++; }},
      {"replay.pool.pages_compacted", [](zsfuzz::Snapshot* s) { s->pages_compacted += 3; }},
      {"replay.shrinker_count", [](zsfuzz::Snapshot* s) { s->shrinker_count++; }},
  };
  for (const Tamper& t : tampers) {
    r = recorded_;
    t.apply(&r.drained);
    EXPECT_EQ(Field(r, replayed_), t.field);
  }
}

TEST_F(ReplayDiff, AReplayThatDidNotFinish) {
  ExecResult replayed = replayed_;
  replayed.run.status = zs_sched::RunStatus::kDeadlock;
  EXPECT_EQ(Field(recorded_, replayed), "replay.run");
}

TEST(CheckConcurrent, ReplaysVariantBsOrderOnAAndCanBeTurnedOff) {
  int replays = 0;
  for (int seed = 1; seed <= 10; seed++) {
    const Program p = WithSchedule(kCompaction, seed);
    zsfuzz::CheckOptions o;
    const zsfuzz::Verdict v = zsfuzz::CheckConcurrent(p, Variant("pre"), Variant("post"), o);
    EXPECT_FALSE(v.finding) << v.message;
    EXPECT_EQ(v.replays == 1, v.not_replayed.empty()) << v.not_replayed;
    EXPECT_LE(v.replays, 1);
    replays += v.replays;
    o.linearization = false;
    const zsfuzz::Verdict off = zsfuzz::CheckConcurrent(p, Variant("pre"), Variant("post"), o);
    EXPECT_EQ(off.replays, 0);
    EXPECT_TRUE(off.not_replayed.empty());
  }
  EXPECT_GT(replays, 5);
}

}  // namespace
}  // namespace zsfuzz_test
