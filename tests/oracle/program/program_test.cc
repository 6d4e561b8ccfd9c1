// program.h: slot names, the op table, Validate and Normalize.
#include "oracle/program/program.h"

#include "gtest/gtest.h"
#include "oracle/program/text.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz {
namespace {

using zsfuzz_test::kRichProgram;
using zsfuzz_test::MustParse;

Op MakeOp(OpCode code, uint32_t slot = 0) {
  Op op;
  op.code = code;
  op.slot = slot;
  return op;
}

Op Malloc(uint32_t size, uint32_t slot) {
  Op op = MakeOp(OpCode::kMalloc, slot);
  op.size = size;
  return op;
}

TEST(SlotNameTest, CountsInBijectiveBase26) {
  EXPECT_EQ(SlotName(0), "a");
  EXPECT_EQ(SlotName(25), "z");
  EXPECT_EQ(SlotName(26), "aa");
  EXPECT_EQ(SlotName(27), "ab");
  EXPECT_EQ(SlotName(26 + 26 * 26 - 1), "zz");
  EXPECT_EQ(SlotName(26 + 26 * 26), "aaa");
}

TEST(OpTableTest, NamesAndKindsFollowOpsDef) {
  int row = 0;
#define ZS_OP(name, text, args)                     \
  EXPECT_STREQ(OpName(OpCode::k##name), text);      \
  EXPECT_EQ(ArgsOf(OpCode::k##name), OpArgs::args); \
  EXPECT_EQ(OpCodeFromName(text), OpCode::k##name); \
  EXPECT_EQ(static_cast<int>(OpCode::k##name), row++);
#include "oracle/program/ops.def"
#undef ZS_OP
  EXPECT_EQ(row, kNumOpCodes);
  EXPECT_FALSE(OpCodeFromName("mallocx").has_value());
}

TEST(ValidateTest, AcceptsTheRichProgram) {
  const Program p = MustParse(kRichProgram);
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(p.NumSlots(), 5);
}

TEST(ValidateTest, RejectsEachBrokenRule) {
  Program base;
  base.threads = {{Malloc(100, 0), MakeOp(OpCode::kFree, 0)}, {Malloc(200, 1)}};
  ASSERT_EQ(Validate(base), "");

  struct Case {
    const char* want;  // a part of the message
    void (*edit)(Program*);
  };
  const Case cases[] = {
      {"version", [](Program* p) { p->version = 2; }},
      {"chain 3", [](Program* p) { p->chain_size = 3; }},
      {"threads", [](Program* p) { p->threads.clear(); }},
      {"threads", [](Program* p) { p->threads.resize(9); }},
      {"size 8193", [](Program* p) { p->threads[0][0].size = 8193; }},
      {"defines slot 5", [](Program* p) { p->threads[1][0].slot = 5; }},
      {"belongs to t0", [](Program* p) { p->threads[1].push_back(MakeOp(OpCode::kWrite, 0)); }},
      {"not defined earlier",
       [](Program* p) { p->threads[0].insert(p->threads[0].begin(), MakeOp(OpCode::kRead, 0)); }},
      {"slot 2 does not exist", [](Program* p) { p->threads[1].push_back(MakeOp(OpCode::kMigrate, 2)); }},
      {"page 16",
       [](Program* p) {
         Op op = MakeOp(OpCode::kIsolate, 1);
         op.page = 16;
         p->threads[1].push_back(op);
       }},
      {"value 1025",
       [](Program* p) {
         Op op = MakeOp(OpCode::kPressure);
         op.value = 1025;
         p->threads[1].push_back(op);
       }},
      {"size must be 0", [](Program* p) { p->threads[0][1].size = 7; }},
      {"value must be 0", [](Program* p) { p->threads[0][1].value = 7; }},
      {"page must be 0", [](Program* p) { p->threads[0][1].page = 1; }},
      {"slot must be 0", [](Program* p) { p->threads[1].push_back(MakeOp(OpCode::kCompact, 1)); }},
      {"bulk mark", [](Program* p) { p->threads[0][0].bulk = true; }},  // nothing before it
      {"bulk mark", [](Program* p) { p->threads[0][1].bulk = true; }},  // a free after a malloc
      {"bulk mark",
       [](Program* p) {
         Op other = Malloc(101, 1);  // another size
         other.bulk = true;
         p->threads[0].insert(p->threads[0].begin() + 1, other);
         p->threads[1][0].slot = 2;
       }},
      {"depth 0",
       [](Program* p) {
         p->schedule.strategy = zs_sched::Strategy::kPct;
         p->schedule.depth = 0;
       }},
      {"quantum",
       [](Program* p) {
         p->schedule.strategy = zs_sched::Strategy::kRoundRobin;
         p->schedule.quantum = 0;
       }},
  };
  for (const Case& c : cases) {
    Program p = base;
    c.edit(&p);
    const std::string error = Validate(p);
    EXPECT_NE(error.find(c.want), std::string::npos) << "want '" << c.want << "', got '" << error << "'";
  }
}

TEST(NormalizeTest, ClearsUnusedFieldsAndRenumbersSlots) {
  Program p;
  Op compact = MakeOp(OpCode::kCompact);
  compact.size = 5;
  compact.value = 6;
  p.threads = {{Malloc(10, 7), MakeOp(OpCode::kFree, 7), compact},
               {Malloc(20, 3), MakeOp(OpCode::kMigrate, 7)}};
  p.schedule.depth = 9;  // a random schedule has no depth
  Normalize(&p);
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(p.threads[0][0].slot, 0u);
  EXPECT_EQ(p.threads[0][1].slot, 0u);
  EXPECT_EQ(p.threads[0][2], MakeOp(OpCode::kCompact));
  EXPECT_EQ(p.threads[1][0].slot, 1u);
  EXPECT_EQ(p.threads[1][1].slot, 0u);
  EXPECT_EQ(p.schedule.depth, zs_sched::Schedule::kDefaultPctDepth);
}

TEST(NormalizeTest, ClearsTheBulkMarksThatNoLongerFit) {
  Program p = MustParse("threads 1\nt0: malloc 48 x 4 -> a ; free a x 3\n");
  p.threads[0][2].size = p.threads[0][3].size = 64;  // splits the bulk malloc: a, a+1 | a+2, a+3
  p.threads[0].erase(p.threads[0].begin() + 5);      // the free of a+1: a | a+2
  Normalize(&p);
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(PrintProgram(p),
            "# zsfuzz program v1\nthreads 1\nt0: malloc 48 x 2 -> a ; malloc 64 x 2 -> c ; free a ; "
            "free c\nschedule random seed=0\n");
  // No bulk op passes kMaxBulk members: the mark that would is cleared.
  Program q;
  q.threads.emplace_back();
  for (uint32_t k = 0; k < kMaxBulk + 1; k++) {
    q.threads[0].push_back(Malloc(32, k));
    q.threads[0].back().bulk = k > 0;
  }
  Normalize(&q);
  EXPECT_EQ(Validate(q), "");
  EXPECT_FALSE(q.threads[0][kMaxBulk].bulk);
  EXPECT_TRUE(q.threads[0][kMaxBulk - 1].bulk);
}

TEST(NormalizeTest, LeavesValidProgramsAlone) {
  const Program p = MustParse(kRichProgram);
  Program q = p;
  Normalize(&q);
  EXPECT_EQ(q, p);
}

TEST(NormalizeTest, LeavesAReferenceToNoMallocForValidate) {
  Program p;
  p.threads = {{Malloc(10, 0), MakeOp(OpCode::kFree, 4)}};
  Normalize(&p);
  EXPECT_NE(Validate(p), "");
}

}  // namespace
}  // namespace zsfuzz
