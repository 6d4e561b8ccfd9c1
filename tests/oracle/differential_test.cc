// Levels 3 and 4, the differential comparisons (oracle/differential.h): pre
// against the released variants without a difference, and every compared
// field reported, in the verdict's first-line form, on records tampered to
// differ.
#include <gtest/gtest.h>

#include <cerrno>
#include <utility>

#include "allocator/zsmalloc/zs_introspect.h"
#include "oracle/differential.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ExecResult;
using zsfuzz::Program;
using zsfuzz::oracle::CompareConcurrent;
using zsfuzz::oracle::CompareSequential;

constexpr const char* kSequential =
    "threads 1\n"
    "t0: malloc 100 -> a ; write a ; malloc 2000 -> b ; malloc 2000 -> c ; malloc 2000 -> d ; free b ; "
    "compact ; read a ; shrink_count ; stat_pages ; stat_pool ; stat_classes ; migrate a page 3 ; free c\n";

constexpr const char* kConcurrent =
    "threads 3\n"
    "t0: malloc 100 -> a ; write a ; malloc 300 -> b ; write b ; free a ; stat_pages\n"
    "t1: malloc 100 -> c ; write c ; migrate a page 0 ; compact ; read c\n"
    "t2: malloc 4000 -> d ; migrate c page 0 ; write d ; stat_classes ; free d ; malloc 50 -> e\n"
    "schedule pct depth=2 seed=3\n";

class SequentialDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = ProgramFromText(kSequential);
    a_ = zsfuzz::Execute(program_, Variant("pre"), {});
    b_ = zsfuzz::Execute(program_, Variant("post"), {});
    ASSERT_FALSE(CompareSequential(program_, a_, b_)) << Got(CompareSequential(program_, a_, b_)).headline;
  }
  std::string Field(const ExecResult& b) {
    auto f = CompareSequential(program_, a_, b);
    if (f) headline_ = Got(f).headline, where_ = Got(f).where;
    return f ? Got(f).field : "";
  }
  Program program_;
  ExecResult a_, b_;
  std::string headline_, where_;
};

TEST_F(SequentialDiff, ReleasedVariantsMatchThePreTree) {
  for (const char* v : {"post-1", "post-1-2", "post-rfc-v2"}) {
    const ExecResult r = zsfuzz::Execute(program_, Variant(v), {});
    EXPECT_FALSE(CompareSequential(program_, a_, r)) << v;
  }
}

TEST_F(SequentialDiff, ResultClasses) {
  ExecResult b = b_;
  b.ops[0][2].err = -ENOMEM;
  EXPECT_EQ(Field(b), "malloc.result");
  EXPECT_EQ(headline_, "malloc 2000 -> b result: pre=handle post=-12");
  EXPECT_EQ(where_, "after t0 op 2 (malloc 2000 -> b)");
  b = b_;
  b.ops[0][2].value ^= 0x1000;
  EXPECT_EQ(Field(b), "") << "handle values are the allocator's business";
  b = b_;
  b.ops[0][7].checksum ^= 1;
  EXPECT_EQ(Field(b), "read.result");
  b = b_;
  b.ops[0][6].value += 1;
  EXPECT_EQ(Field(b), "compact.result");
  b = b_;
  b.ops[0][12].err = -EBUSY;
  EXPECT_EQ(Field(b), "migrate.result");
  b = b_;
  b.ops[0][11].classes[3].stats[12] += 1;
  EXPECT_EQ(Field(b), "class.obj_allocated");
  b = b_;
  b.ops[0][11].class_table.add_text("x");
  EXPECT_EQ(Field(b), "class_table");
  b = b_;
  b.ops[0][11].classes[7].pages_per_zspage += 1;
  EXPECT_EQ(Field(b), "class.geometry");
  b = b_;
  b.ops[0][11].classes.pop_back();
  EXPECT_EQ(Field(b), "class.count");
}

TEST_F(SequentialDiff, SnapshotFields) {
  ExecResult b = b_;
  zs_class_info& c5 = b.after_op[4].classes[5];
  ASSERT_EQ(c5.index, 5u);
  c5.stats[12] += 4;
  EXPECT_EQ(Field(b), "class.obj_allocated");
  EXPECT_EQ(headline_, "class 5 obj_allocated: pre=256 post=260");
  b = b_;
  b.after_op[4].classes[5].stats[2] += 1;
  EXPECT_EQ(Field(b), "class.20%");
  b = b_;
  b.after_op[5].total_pages += 1;
  EXPECT_EQ(Field(b), "pool.total_pages");
  b = b_;
  b.after_op[5].nr_zspages += 1;
  EXPECT_EQ(Field(b), "pool.NR_ZSPAGES");
  b = b_;
  b.after_op[5].pages_in_use += 1;
  EXPECT_EQ(Field(b), "pool.pages_in_use");
  b = b_;
  b.after_op[7].pages_compacted += 1;
  EXPECT_EQ(Field(b), "pool.pages_compacted");
  b = b_;
  b.after_op[5].live.pop_back();
  EXPECT_EQ(Field(b), "object.live");
  b = b_;
  b.after_op[5].live[0].checksum ^= 1;
  EXPECT_EQ(Field(b), "object.content");
  EXPECT_EQ(headline_.rfind("slot a checksum: pre=", 0), 0u) << headline_;
  b = b_;
  b.after_op[5].live[0].generation += 1;
  EXPECT_EQ(Field(b), "object.state");
  b = b_;
  b.drained.class_table.add_text(" ");
  EXPECT_EQ(Field(b), "class_table");
  b = b_;
  b.emptied.total_pages = 1;
  EXPECT_EQ(Field(b), "pool.total_pages");
  EXPECT_EQ(where_, "after freeing every object");
  b = b_;
  b.pages_in_use_end = 2;
  EXPECT_EQ(Field(b), "teardown.pages_in_use");
}

class ConcurrentDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = ProgramFromText(kConcurrent);
    a_ = zsfuzz::Execute(program_, Variant("pre"), {});
    b_ = zsfuzz::Execute(program_, Variant("post"), {});
    ASSERT_EQ(b_.run.status, zs_sched::RunStatus::kFinished) << b_.run.report;
    ASSERT_FALSE(CompareConcurrent(program_, a_, b_)) << Got(CompareConcurrent(program_, a_, b_)).headline;
    ASSERT_EQ(b_.drained.live.size(), 3u) << "b, c and e";
  }
  std::string Field(const ExecResult& b) {
    auto f = CompareConcurrent(program_, a_, b);
    if (f) headline_ = Got(f).headline;
    return f ? Got(f).field : "";
  }
  Program program_;
  ExecResult a_, b_;
  std::string headline_;
};

TEST_F(ConcurrentDiff, ReleasedVariantsMatchThePreTreeUnderManySchedules) {
  for (int seed = 1; seed <= 6; seed++) {
    Program p = program_;
    p.schedule = zs_sched::Schedule::Random(seed);
    const ExecResult a = zsfuzz::Execute(p, Variant("pre"), {});
    for (const char* v : {"post", "post-1", "post-1-2"}) {
      const ExecResult b = zsfuzz::Execute(p, Variant(v), {});
      EXPECT_FALSE(CompareConcurrent(p, a, b)) << v << " seed " << seed;
    }
  }
}

TEST_F(ConcurrentDiff, OrderIndependentFields) {
  ExecResult b = b_;
  b.drained.live.erase(b.drained.live.begin() + 1);
  EXPECT_EQ(Field(b), "object.live");
  EXPECT_EQ(headline_, "slot c: pre=live post=free");
  b = b_;
  b.drained.live[0].checksum ^= 1;
  EXPECT_EQ(Field(b), "object.content");
  b = b_;
  for (size_t k = 0; k < b.drained.classes.size(); k++)
    if (std::as_const(b.drained.classes)[k].stats[13] != 0) {
      b.drained.classes[k].stats[13] += 1;
      break;
    }
  EXPECT_EQ(Field(b), "class.obj_used");
  b = b_;
  b.emptied.nr_zspages = 3;
  EXPECT_EQ(Field(b), "pool.NR_ZSPAGES");
  b = b_;
  b.nr_zspages_end = 1;
  EXPECT_EQ(Field(b), "teardown.NR_ZSPAGES");
}

TEST_F(ConcurrentDiff, WhatTheInterleavingDecidesIsNotCompared) {
  ExecResult b = b_;
  for (size_t k = 0; k < b.drained.classes.size(); k++)
    b.drained.classes[k].stats[12] += b.drained.classes[k].objs_per_zspage;  // a spare zspage
  b.drained.total_pages += 1;
  b.drained.pages_compacted += 3;
  b.emptied.pages_compacted += 3;
  b.ops[0][0].value ^= 0x1000;
  EXPECT_EQ(Field(b), "");
}

TEST_F(ConcurrentDiff, AnArmedInjectorMakesTheLiveSetOrderDependent) {
  Program p = program_;
  p.threads[1].insert(p.threads[1].begin(), zsfuzz::Op{zsfuzz::OpCode::kFailPages, 0, 0, 0, 1});
  ExecResult b = b_;
  b.drained.live.erase(b.drained.live.begin() + 1);
  EXPECT_FALSE(CompareConcurrent(p, a_, b)) << "which malloc fails depends on the interleaving";
  b.drained.live[0].checksum ^= 1;
  EXPECT_TRUE(CompareConcurrent(p, a_, b)) << "contents of objects live in both still count";
}

}  // namespace
}  // namespace zsfuzz_test
