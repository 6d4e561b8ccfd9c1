// The program executor (oracle/exec): clean starts and exact replays, every
// op as program.h defines it, the slot table's harness no-ops, migration by
// recorded PFN, fault-injection accounting, snapshots, the observer, and the
// drain and teardown of one- and multi-thread runs.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/page_alloc.h"
#include "kernel/shrinker.h"
#include "oracle/exec/executor.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ExecResult;
using zsfuzz::OpResult;
using zsfuzz::OpStatus;

const OpResult& Op(const ExecResult& r, size_t i, size_t t = 0) { return r.ops.at(t).at(i); }

// Everything of a run that must repeat exactly (handles are heap addresses,
// which need not).
std::string Fingerprint(const ExecResult& r) {
  std::string s;
  for (const auto& ops : r.ops)
    for (const OpResult& o : ops)
      s += std::to_string(static_cast<int>(o.status)) + "/" + std::to_string(o.err) + "/" +
           std::to_string(o.checksum) + (o.value < 0x100000 ? "/" + std::to_string(o.value) : "") + ";";
  for (const zsfuzz::Snapshot& snap : r.after_op) {
    for (const zs_class_info& ci : snap.classes)
      for (unsigned long v : ci.stats) s += std::to_string(v) + ",";
    s += std::to_string(snap.total_pages);
  }
  s += r.drained.class_table.text() + r.emptied.class_table.text();
  return s;
}

// The snapshot's content check rests on this: whatever the length and
// wherever the byte (in a four-word block, the words after, the tail), one
// changed byte changes the checksum.
TEST(ExecTest, ContentChecksumChangesWithAnyOneByte) {
  std::vector<uint8_t> bytes(4096);
  for (size_t i = 0; i < bytes.size(); i++) bytes[i] = static_cast<uint8_t>(i * 131 + 7);
  for (size_t len : {1, 7, 8, 31, 32, 33, 63, 64, 100, 4096}) {
    const uint64_t base = zsfuzz::ContentChecksum(bytes.data(), len);
    for (size_t at = 0; at < len; at += (len > 200 ? 37 : 1)) {
      for (uint8_t flip : {uint8_t{1}, uint8_t{0x80}, uint8_t{0xff}}) {
        bytes[at] ^= flip;
        EXPECT_NE(zsfuzz::ContentChecksum(bytes.data(), len), base) << "len " << len << " byte " << at;
        bytes[at] ^= flip;
      }
    }
  }
}

TEST(ExecTest, OneThreadRunsEveryOpWithSnapshotsAndTearsDown) {
  const ExecResult r = Exec(
      "threads 1\n"
      "t0: malloc 100 -> a ; write a ; read a ; read_sg a ; malloc 3000 -> b ; write b ; read b ; "
      "compact ; shrink_count ; shrink_scan 10 ; flush ; stat_pages ; stat_pool ; stat_classes ; "
      "free a ; free b\n",
      "post");
  EXPECT_EQ(r.run.status, zs_sched::RunStatus::kFinished) << r.run.report;
  EXPECT_TRUE(r.pool_created);
  EXPECT_TRUE(r.teardown_done);
  ASSERT_EQ(r.ops.size(), 1u);
  for (const OpResult& o : r.ops[0]) EXPECT_EQ(o.status, OpStatus::kDone);
  EXPECT_EQ(r.after_op.size(), r.ops[0].size());
  EXPECT_EQ(Op(r, 0).err, 0);
  EXPECT_NE(Op(r, 0).value, 0u);
  EXPECT_EQ(Op(r, 1).generation, 1u);
  EXPECT_EQ(Op(r, 2).first_diff, -1) << "read back what was written";
  EXPECT_EQ(Op(r, 2).checksum, zsfuzz::PatternChecksum(0, 1, 100));
  EXPECT_EQ(Op(r, 3).checksum, zsfuzz::PatternChecksum(0, 1, 100));
  EXPECT_TRUE(Op(r, 3).sg_problem.empty()) << Op(r, 3).sg_problem;
  EXPECT_EQ(Op(r, 6).checksum, zsfuzz::PatternChecksum(1, 1, 3000));
  EXPECT_EQ(Op(r, 9).value, kernel::SHRINK_STOP) << "nothing to compact";
  // stat_pages: pages_allocated and the class-derived count agree when nothing else runs.
  const zsfuzz::StatsProbe& p = Op(r, 11).probe;
  EXPECT_EQ(p.total_pages, p.class_pages);
  EXPECT_EQ(static_cast<long>(p.total_pages), p.nr_zspages);
  EXPECT_EQ(p.locked_class_pages + p.freeing_pages + p.allocating_pages, 0u);
  EXPECT_EQ(Op(r, 11).value, r.after_op[10].total_pages);
  EXPECT_FALSE(Op(r, 13).class_table.empty());
  EXPECT_FALSE(Op(r, 13).classes.empty());
  // Snapshots: two live objects before the frees, with their contents.
  const zsfuzz::Snapshot& before = r.after_op[13];
  ASSERT_EQ(before.live.size(), 2u);
  EXPECT_EQ(before.live[0].checksum, zsfuzz::PatternChecksum(0, 1, 100));
  EXPECT_EQ(before.live[1].size, 3000u);
  EXPECT_GT(before.total_pages, 0u);
  EXPECT_EQ(before.nr_zspages, static_cast<long>(before.total_pages));
  EXPECT_EQ(before.pages_in_use, before.nr_zspages);
  EXPECT_TRUE(r.after_op.back().live.empty());
  EXPECT_EQ(r.after_op.back().total_pages, 0u);
  EXPECT_TRUE(r.drained.taken);
  EXPECT_TRUE(r.emptied.taken);
  EXPECT_EQ(r.pages_in_use_end, 0);
  EXPECT_EQ(r.nr_zspages_end, 0);
  EXPECT_EQ(r.warns, 0u);
  EXPECT_EQ(r.lockdep_reports, 0u);
}

TEST(ExecTest, SameProgramSameTraceAndPfns) {
  const char* text =
      "threads 1\n"
      "t0: malloc 2000 -> a ; write a ; malloc 2000 -> b ; migrate a page 0 ; isolate b page 0 ; "
      "migrate b page 0 ; read a ; free a ; free b\n";
  const ExecResult r1 = Exec(text, "pre");
  const ExecResult r2 = Exec(text, "pre");
  EXPECT_EQ(r1.run.trace_hash, r2.run.trace_hash);
  EXPECT_EQ(Fingerprint(r1), Fingerprint(r2));
  EXPECT_EQ(Op(r1, 3).value, Op(r2, 3).value) << "the same PFNs";
  EXPECT_GE(Op(r1, 3).value, kernel::ARENA_BASE_PFN);
}

// Trace steps on the pool's locks carry the class index ("class[5]") and
// zs_pool, from the run's own addresses, also after the run is over. pre's
// zs_free takes pool->lock (post's does not).
TEST(ExecTest, TraceNamesClassLocksByIndex) {
  const ExecResult r = Exec("threads 1\nt0: malloc 100 -> a ; free a\n", "pre", nullptr, /*trace=*/true);
  const std::string text = zs_sched::FormatTrace(r.run.trace, zsfuzz::LockNamer(r));
  ASSERT_FALSE(r.after_op.empty());
  ASSERT_EQ(r.after_op[0].live.size(), 1u);
  const unsigned int index = r.after_op[0].live[0].class_index;
  const std::string cls = "&class_->lock class[" + std::to_string(index) + "]\n";
  // zs_malloc's own class lock, under the op's first steps (before the
  // snapshot, which takes every class lock).
  const size_t op = text.find("zsfuzz_op");
  const size_t snapshot = text.find("zsfuzz_snapshot");
  ASSERT_LT(op, snapshot) << text;
  const size_t at = text.find(cls, op);
  EXPECT_LT(at, snapshot) << "no step of malloc 100 names " << cls << text;
  EXPECT_NE(text.find("&pool->lock zs_pool\n"), std::string::npos) << text;
}

TEST(ExecTest, OpsOnSlotsThatAreNotLiveDoNothing) {
  const ExecResult r = Exec(
      "threads 1\n"
      "t0: malloc 0 -> a ; write a ; read a ; free a ; malloc 5000 -> b ; read_sg b ; "
      "malloc 64 -> c ; free c ; free c ; write c ; read c\n",
      "post");
  EXPECT_EQ(Op(r, 0).err, -EINVAL);
  EXPECT_EQ(Op(r, 4).err, -ENOSPC);
  for (size_t i : {1, 2, 3, 5, 8, 9, 10}) EXPECT_EQ(Op(r, i).status, OpStatus::kNoSlot) << "op " << i;
  EXPECT_EQ(Op(r, 7).status, OpStatus::kDone);
}

TEST(ExecTest, MigrationActsOnRecordedPfns) {
  const ExecResult r = Exec(
      "threads 1\n"
      "t0: migrate a page 0 ; malloc 3000 -> a ; write a ; putback a page 0 ; migrate a page 9 ; "
      "isolate a page 0 ; isolate a page 0 ; putback a page 0 ; isolate a page 0 ; migrate a page 0 ; "
      "migrate a page 0 ; read a ; migrate a page 0 ; free a ; migrate a page 0\n",
      "post");
  EXPECT_EQ(Op(r, 0).status, OpStatus::kNoPage) << "no malloc yet";
  EXPECT_EQ(Op(r, 3).status, OpStatus::kNotIsolated);
  EXPECT_EQ(Op(r, 4).status, OpStatus::kNoPage) << "3000 bytes sit in a 1-, 2- or 3-page zspage";
  EXPECT_EQ(Op(r, 5).err, 0);
  EXPECT_EQ(Op(r, 6).err, -EBUSY) << "already isolated";
  EXPECT_EQ(Op(r, 7).status, OpStatus::kDone);
  EXPECT_EQ(Op(r, 8).err, 0);
  EXPECT_EQ(Op(r, 9).err, 0) << "step 2 on the page this thread isolated";
  const unsigned long old_pfn = Op(r, 9).value;
  EXPECT_EQ(Op(r, 10).value, old_pfn) << "the owner has not touched a since: the old PFN";
  EXPECT_EQ(Op(r, 10).err, -EBUSY) << "the old page went back to the allocator";
  EXPECT_EQ(Op(r, 11).first_diff, -1) << "contents moved with the page";
  EXPECT_NE(Op(r, 12).value, old_pfn) << "the read recorded the new PFN";
  EXPECT_EQ(Op(r, 12).err, 0);
  EXPECT_EQ(Op(r, 14).err, -EBUSY) << "after the free: a stale PFN, a free page";
  EXPECT_EQ(r.pages_in_use_end, 0);
}

TEST(ExecTest, IsolatedPagesArePutBackAtThreadEnd) {
  const ExecResult r = Exec("threads 1\nt0: malloc 100 -> a ; isolate a page 0 ; free a\n", "post");
  EXPECT_EQ(Op(r, 1).err, 0);
  // The free detached the isolated page; the isolation reference kept it.
  EXPECT_EQ(r.after_op[2].total_pages, 0u);
  EXPECT_EQ(r.after_op[2].pages_in_use, 1);
  EXPECT_EQ(r.pages_in_use_end, 0) << "the thread put the page back, which freed it";
}

// Several threads: a page left isolated is a migration in flight, which a
// kcompactd kthread finishes while a zram-reset kthread frees every object
// and destroys the pool. Some schedules have a free meet the page locked for
// the move, so zs_destroy_pool's own flush must wait for the deferred free;
// every variant ends with every page back and no emptied snapshot.
TEST(ExecTest, MigrationsInFlightRaceTheTeardown) {
  const std::string text =
      "threads 2\n"
      "t0: malloc 96 -> a ; malloc 3000 -> b ; write b ; isolate a page 0 ; isolate b page 1\n"
      "t1: malloc 200 -> c ; write c\n";
  // Not post-rfc-v2: its lockless handle load races the migration's
  // record_obj() here too, which TSan reports (corpus/regressions).
  for (const char* variant : {"pre", "post", "post-1", "post-1-2"}) {
    int deferred = 0;
    for (int seed = 1; seed <= 12; seed++) {
      const ExecResult r = Exec(text + "schedule random seed=" + std::to_string(seed) + "\n", variant,
                                nullptr, /*trace=*/true);
      ASSERT_EQ(r.run.status, zs_sched::RunStatus::kFinished) << variant << " seed " << seed << r.run.report;
      EXPECT_EQ(Op(r, 3).err, 0) << "isolated";
      EXPECT_TRUE(r.drained.taken);
      EXPECT_EQ(r.drained.live.size(), 3u);
      EXPECT_TRUE(r.teardown_done);
      EXPECT_FALSE(r.emptied.taken) << "the pool is gone when the teardown's threads end";
      EXPECT_EQ(r.pages_in_use_end, 0) << variant << " seed " << seed;
      EXPECT_EQ(r.nr_zspages_end, 0) << variant << " seed " << seed;
      EXPECT_GE(r.run.threads, 5) << "root, two program threads, zram-reset, kcompactd0";
      bool drained = false;
      for (const zs_sched::TraceStep& step : r.run.trace) {
        drained = drained || std::string(step.site) == zsfuzz::kSnapshotSite;
        if (drained && std::string(step.site) == "schedule_work") deferred++;
      }
    }
    EXPECT_GT(deferred, 0) << variant << ": no schedule had the teardown's free meet the locked page";
  }
}

TEST(ExecTest, InjectedFailuresAreCounted) {
  const ExecResult r = Exec(
      "threads 1\n"
      "t0: fail_pages 1 ; malloc 100 -> a ; malloc 100 -> b ; fail_slab 1 ; malloc 100 -> c ; "
      "fail_pages 1 ; migrate b page 0 ; fail_pages 0 ; migrate b page 0\n",
      "pre");
  EXPECT_EQ(Op(r, 1).err, -ENOMEM);
  EXPECT_EQ(Op(r, 1).page_faults_used, 1);
  EXPECT_TRUE(Op(r, 1).faults_armed);
  EXPECT_EQ(Op(r, 2).err, 0);
  EXPECT_EQ(Op(r, 2).page_faults_used, 0);
  EXPECT_EQ(Op(r, 4).err, -ENOMEM);
  EXPECT_EQ(Op(r, 4).slab_faults_used, 1);
  EXPECT_EQ(Op(r, 6).err, -ENOMEM) << "no page to migrate to";
  EXPECT_EQ(Op(r, 6).page_faults_used, 1);
  EXPECT_EQ(Op(r, 8).err, 0);
  EXPECT_EQ(r.pages_in_use_end, 0);
}

TEST(ExecTest, PressureAddsStepsNotResults) {
  const char* base = "threads 1\nt0: malloc 1000 -> a ; write a ; read a ; free a\n";
  const ExecResult r1 = Exec(base, "post");
  const ExecResult r2 =
      Exec("threads 1\nt0: pressure 20 ; malloc 1000 -> a ; write a ; read a ; free a\n", "post");
  EXPECT_GT(r2.run.steps, r1.run.steps + 20);
  EXPECT_EQ(Op(r2, 3).checksum, Op(r1, 2).checksum);
}

class CountingObserver : public zsfuzz::ExecObserver {
 public:
  explicit CountingObserver(int stop_after) : stop_after_(stop_after) {}
  bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
    EXPECT_NE(view.snapshot, nullptr);
    points.push_back(view.point);
    return static_cast<int>(points.size()) != stop_after_;
  }
  std::vector<zsfuzz::QuiescentPoint> points;

 private:
  const int stop_after_;
};

TEST(ExecTest, ObserverSeesEveryPointAndCanStopTheOps) {
  CountingObserver all(-1);
  Exec("threads 1\nt0: malloc 100 -> a ; write a ; free a\n", "post", &all);
  EXPECT_EQ(all.points, (std::vector<zsfuzz::QuiescentPoint>{
                            zsfuzz::QuiescentPoint::kAfterOp, zsfuzz::QuiescentPoint::kAfterOp,
                            zsfuzz::QuiescentPoint::kAfterOp, zsfuzz::QuiescentPoint::kDrained,
                            zsfuzz::QuiescentPoint::kEmptied}));
  CountingObserver stop(1);
  const ExecResult r = Exec("threads 1\nt0: malloc 100 -> a ; write a ; free a\n", "post", &stop);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(Op(r, 1).status, OpStatus::kNotRun);
  EXPECT_TRUE(r.teardown_done) << "the drain frees the object the program did not";
  EXPECT_EQ(r.pages_in_use_end, 0);
}

TEST(ExecTest, ThreadsRunUnderTheScheduleAndReplay) {
  const char* text =
      "threads 3\n"
      "t0: malloc 100 -> a ; write a ; read a ; stat_pages ; free a\n"
      "t1: malloc 100 -> b ; write b ; migrate a page 0 ; read b ; stat_classes\n"
      "t2: compact ; stat_pool ; malloc 4000 -> c ; write c ; read_sg c ; isolate b page 0\n"
      "schedule pct depth=3 seed=5\n";
  const ExecResult r1 = Exec(text, "post");
  const ExecResult r2 = Exec(text, "post");
  EXPECT_EQ(r1.run.status, zs_sched::RunStatus::kFinished) << r1.run.report;
  EXPECT_GE(r1.run.threads, 4) << "the root and one virtual thread per program thread";
  EXPECT_EQ(r1.run.trace_hash, r2.run.trace_hash);
  EXPECT_EQ(Fingerprint(r1), Fingerprint(r2));
  EXPECT_TRUE(r1.after_op.empty()) << "no per-op snapshots with several threads";
  for (size_t t = 0; t < 3; t++)
    for (const OpResult& o : r1.ops[t]) EXPECT_NE(o.status, OpStatus::kNotRun);
  // b is still live after the drain; c too.
  ASSERT_EQ(r1.drained.live.size(), 2u);
  EXPECT_EQ(r1.drained.live[0].checksum, zsfuzz::PatternChecksum(1, 1, 100));
  EXPECT_EQ(r1.drained.live[1].checksum, zsfuzz::PatternChecksum(2, 1, 4000));
  EXPECT_TRUE(r1.emptied.live.empty());
  EXPECT_EQ(r1.emptied.total_pages, 0u);
  EXPECT_EQ(r1.pages_in_use_end, 0);
}

TEST(ExecTest, EveryOpBeginsAtAMarkedYieldPoint) {
  const ExecResult r =
      Exec("threads 1\nt0: stat_pool ; stat_pool ; stat_pages\n", "pre", nullptr, /*trace=*/true);
  int ops = 0, snapshots = 0;
  for (const zs_sched::TraceStep& s : r.run.trace) {
    ops += std::string(s.site) == zsfuzz::kOpStartSite;
    snapshots += std::string(s.site) == zsfuzz::kSnapshotSite;
  }
  EXPECT_EQ(ops, 3);
  EXPECT_EQ(snapshots, 5) << "after each op, after the drain, after emptying";
}

}  // namespace
}  // namespace zsfuzz_test
