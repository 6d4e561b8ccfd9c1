// Level 1, the reference model (oracle/model.h): clean on real runs of every
// variant, and each check fires on a record tampered the way its bug would
// show (crafted inputs: an allocator that returned the wrong thing).
#include <gtest/gtest.h>

#include <cerrno>

#include "oracle/model.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ExecResult;
using zsfuzz::OpStatus;
using zsfuzz::Program;
using zsfuzz::oracle::CheckModel;

constexpr const char* kSequential =
    "threads 1\n"
    "t0: malloc 100 -> a ; write a ; read a ; read_sg a ; malloc 0 -> b ; malloc 5000 -> c ; "
    "malloc 2000 -> d ; write d ; malloc 2000 -> e ; write e ; malloc 2000 -> f ; malloc 2000 -> g ; "
    "free d ; free f ; shrink_count ; compact ; stat_pool ; isolate a page 0 ; migrate a page 0 ; read a ; "
    "fail_pages 1 ; malloc 1000 -> h ; fail_slab 1 ; malloc 4000 -> i ; fail_pages 1 ; migrate a page 0 ; "
    "stat_pages ; free a\n";

// Op indices in kSequential. Two objects of 2000 bytes fill a zspage, so
// freeing d and f leaves two half-used zspages for compaction.
enum : size_t {
  kMallocA = 0,
  kWriteA = 1,
  kReadA = 2,
  kReadSgA = 3,
  kMalloc0 = 4,
  kMallocBig = 5,
  kMallocD = 6,
  kMallocE = 8,
  kShrinkCount = 14,
  kCompact = 15,
  kStatPool = 16,
  kIsolate = 17,
  kMigrate = 18,
  kMallocH = 21,
  kMallocI = 23,
  kMigrateLast = 25,
  kFreeA = 27,
};

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = ProgramFromText(kSequential);
    run_ = Exec(kSequential, "post");
    ASSERT_EQ(run_.run.status, zs_sched::RunStatus::kFinished) << run_.run.report;
    ASSERT_FALSE(CheckModel(program_, run_, true)) << Got(CheckModel(program_, run_, true)).headline;
  }

  zsfuzz::OpResult& Op(ExecResult& r, size_t i) { return r.ops[0][i]; }

  // The field of the failure the tampered record gets, "" if none.
  std::string Field(const ExecResult& r, bool sequential = true) {
    auto f = CheckModel(program_, r, sequential);
    if (f) headline_ = Got(f).headline;
    return f ? Got(f).field : "";
  }

  Program program_;
  ExecResult run_;
  std::string headline_;
};

TEST_F(ModelTest, RealRunsOfEveryVariantAreClean) {
  size_t n = 0;
  const zs_variant_ops* const* all = zs_variants(&n);
  for (size_t i = 0; i < n; i++) {
    const ExecResult r = zsfuzz::Execute(program_, all[i], {});
    EXPECT_FALSE(CheckModel(program_, r, true)) << all[i]->name;
  }
  // The faults and the results the model expects of them.
  EXPECT_EQ(Op(run_, kMallocH).err, -ENOMEM);
  EXPECT_EQ(Op(run_, kMallocI).err, -ENOMEM);
  EXPECT_EQ(Op(run_, kMigrateLast).err, -ENOMEM);
}

TEST_F(ModelTest, MallocErrorsFollowTheSize) {
  ExecResult r = run_;
  Op(r, kMalloc0).err = 0;
  Op(r, kMalloc0).value = 0x1000;
  EXPECT_EQ(Field(r), "malloc.result");
  EXPECT_EQ(headline_, "malloc 0 result: got=handle model=-EINVAL");
  r = run_;
  Op(r, kMallocBig).err = -ENOMEM;
  EXPECT_EQ(Field(r), "malloc.result");
  EXPECT_EQ(headline_, "malloc 5000 result: got=-ENOMEM model=-ENOSPC");
  r = run_;
  Op(r, kMallocA).err = -EINVAL;
  EXPECT_EQ(Field(r), "malloc.result");
}

TEST_F(ModelTest, EnomemOnlyWithAnInjectedFailure) {
  ExecResult r = run_;
  Op(r, kMallocD).err = -ENOMEM;
  EXPECT_EQ(Field(r), "malloc.enomem");
  EXPECT_EQ(
      headline_,
      "malloc 2000 result: got=-ENOMEM model=handle (no injected allocation failure was handed out during "
      "the call)");
  // Several threads: -ENOMEM needs an armed injector, not an exact count.
  r = run_;
  Op(r, kMallocD).err = -ENOMEM;
  Op(r, kMallocD).faults_armed = false;
  EXPECT_EQ(Field(r, /*sequential=*/false), "malloc.enomem");
  Op(r, kMallocD).faults_armed = true;
  EXPECT_NE(Field(r, /*sequential=*/false), "malloc.enomem");
  // One thread: a failure handed out must fail the call.
  r = run_;
  Op(r, kMallocH).err = 0;
  Op(r, kMallocH).value = 0x5000;
  EXPECT_EQ(Field(r), "malloc.injected");
}

TEST_F(ModelTest, HandlesAreNonZeroAndDistinct) {
  ExecResult r = run_;
  Op(r, kMallocA).value = 0;
  EXPECT_EQ(Field(r), "malloc.handle");
  r = run_;
  Op(r, kMallocE).value = Op(r, kMallocA).value;
  EXPECT_EQ(Field(r), "malloc.handle");
}

TEST_F(ModelTest, ReadsReturnTheLastWrite) {
  ExecResult r = run_;
  Op(r, kReadA).checksum ^= 1;
  Op(r, kReadA).first_diff = 17;
  Op(r, kReadA).actual_byte = 0x12;
  Op(r, kReadA).expected_byte = 0x34;
  EXPECT_EQ(Field(r), "read.content");
  EXPECT_EQ(headline_, "slot a byte 17: read=0x12 model=0x34 (write 1, 100 bytes)");
  r = run_;
  Op(r, kReadSgA).checksum ^= 1;
  EXPECT_EQ(Field(r), "read.content");
  r = run_;
  Op(r, kReadSgA).sg_problem = "sg[1] has page null";
  EXPECT_EQ(Field(r), "read_sg.scatterlist");
  // The snapshot after an op reads every object back too.
  r = run_;
  r.after_op[kWriteA].live[0].checksum ^= 1;
  EXPECT_EQ(Field(r), "object.content");
  r = run_;
  r.after_op[kWriteA].live.clear();
  EXPECT_EQ(Field(r), "object.live");
  // And the drained snapshot.
  r = run_;
  ASSERT_EQ(r.drained.live.at(0).generation, 1u) << "e, written once";
  r.drained.live[0].checksum ^= 1;
  EXPECT_EQ(Field(r), "object.content");
}

TEST_F(ModelTest, SlotOpsFollowTheSlotTable) {
  ExecResult r = run_;
  Op(r, kFreeA).status = OpStatus::kNoSlot;
  EXPECT_EQ(Field(r), "slot.state");
  r = run_;
  Op(r, kWriteA).generation = 2;
  EXPECT_EQ(Field(r), "slot.generation");
}

TEST_F(ModelTest, CompactionFiguresAddUp) {
  ExecResult r = run_;
  Op(r, kShrinkCount).value += 1;
  EXPECT_EQ(Field(r), "shrink_count.result");
  r = run_;
  Op(r, kCompact).value += 1;
  EXPECT_EQ(Field(r), "compact.pages_freed");
  // What the allocator's probe saw the thread release, with one thread or several.
  EXPECT_EQ(Op(run_, kCompact).pages_released, Op(run_, kCompact).value);
  r = run_;
  Op(r, kCompact).pages_released += 1;
  EXPECT_EQ(Field(r), "compact.pages_released");
  EXPECT_EQ(Field(r, /*sequential=*/false), "compact.pages_released");
  EXPECT_NE(headline_.find("compact pages freed: got=1 released=2"), std::string::npos) << headline_;
  r = run_;
  Op(r, kStatPool).value += 1;
  EXPECT_EQ(Field(r), "stat_pool.pages_compacted");
  r = run_;
  r.drained.pages_compacted += 1;
  EXPECT_EQ(Field(r), "stat_pool.pages_compacted");
  r = run_;
  r.drained.shrinker_count += 1;
  EXPECT_EQ(Field(r), "drained.shrink_count");
  EXPECT_GT(Op(run_, kCompact).value, 0u) << "the program must make compaction free something";
}

TEST_F(ModelTest, MigrationResults) {
  ExecResult r = run_;
  Op(r, kIsolate).err = -ENOMEM;
  EXPECT_EQ(Field(r), "isolate.result");
  r = run_;
  Op(r, kMigrate).err = -EINVAL;
  EXPECT_EQ(Field(r), "migrate.result");
  r = run_;
  Op(r, kMigrate).err = -ENOMEM;
  EXPECT_EQ(Field(r), "migrate.enomem");
  r = run_;
  Op(r, kMigrateLast).err = 0;
  EXPECT_EQ(Field(r), "migrate.injected");
}

TEST_F(ModelTest, AnUnfinishedRunIsLeftToTheKernelCheck) {
  ExecResult r = run_;
  for (size_t i = kReadA; i < r.ops[0].size(); i++) r.ops[0][i].status = OpStatus::kNotRun;
  Op(r, kReadA + 1).checksum ^= 1;
  r.drained = {};
  EXPECT_EQ(Field(r), "");
}

}  // namespace
}  // namespace zsfuzz_test
