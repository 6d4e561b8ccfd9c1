// mutator.h: every output is a valid program, and each mutation does what it says.
#include "fuzzers/mutator/mutator.h"

#include <algorithm>
#include <map>
#include <set>

#include "fuzzers/mutator/draft.h"
#include "gtest/gtest.h"
#include "oracle/program/binary.h"
#include "oracle/program/text.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz {
namespace {

using zsfuzz_test::kDesignExample;
using zsfuzz_test::kRichProgram;
using zsfuzz_test::MustParse;

constexpr int kSeeds = 200;

size_t TotalOps(const Program& p) {
  size_t n = 0;
  for (const auto& ops : p.threads) n += ops.size();
  return n;
}

// Ops that carry a bulk mark, and those of them that are frees.
size_t Marks(const Program& p, bool frees_only = false) {
  size_t n = 0;
  for (const auto& ops : p.threads)
    for (const Op& op : ops) n += op.bulk && (!frees_only || op.code == OpCode::kFree);
  return n;
}

// A program with a bulk malloc and a bulk free (program.h, "Bulk ops").
constexpr const char* kBulkProgram =
    "threads 2\nt0: malloc 48 x 8 -> a ; free a x 4 ; write a+5\nt1: malloc 32 -> b ; compact\n";

// The op codes of each thread, in order: what the structure is without the arguments.
std::vector<std::vector<OpCode>> Shape(const Program& p) {
  std::vector<std::vector<OpCode>> out;
  for (const auto& ops : p.threads) {
    out.emplace_back();
    for (const Op& op : ops) out.back().push_back(op.code);
  }
  return out;
}

// Ops per thread, sorted: equal when only the order inside threads differs.
std::vector<std::multiset<std::tuple<int, uint32_t, uint32_t, uint32_t>>> Bags(const Program& p) {
  std::vector<std::multiset<std::tuple<int, uint32_t, uint32_t, uint32_t>>> out;
  for (const auto& ops : p.threads) {
    out.emplace_back();
    for (const Op& op : ops) out.back().insert({static_cast<int>(op.code), op.size, op.page, op.value});
  }
  return out;
}

// True if p and q have the same shape and differ exactly in the field `field` picks of one op.
template <typename Field>
bool OneFieldDiffers(const Program& p, const Program& q, Field field) {
  if (Shape(p) != Shape(q)) return false;
  int differing = 0;
  for (size_t t = 0; t < p.threads.size(); t++)
    for (size_t i = 0; i < p.threads[t].size(); i++)
      differing += field(p.threads[t][i]) != field(q.threads[t][i]);
  return differing == 1;
}

// What a mutation must have done, checked over kSeeds seeds: `always` on
// every seed where it applied, `sometimes` on at least one.
struct Expectation {
  Mutation mutation;
  const char* base;  // the program it starts from
  bool (*always)(const Program& before, const Program& after);
  bool (*sometimes)(const Program& before, const Program& after);
};

bool Any(const Program&, const Program&) { return true; }

const Expectation kExpectations[] = {
    {Mutation::kInsertOp, kRichProgram,
     [](const Program& a, const Program& b) { return TotalOps(b) == TotalOps(a) + 1; }, Any},
    {Mutation::kDeleteOp, kRichProgram,
     [](const Program& a, const Program& b) { return TotalOps(b) < TotalOps(a); },
     [](const Program& a, const Program& b) { return TotalOps(b) == TotalOps(a) - 1; }},
    {Mutation::kDuplicateOp, kRichProgram,
     [](const Program& a, const Program& b) { return TotalOps(b) >= TotalOps(a); },
     [](const Program& a, const Program& b) {
       return TotalOps(b) == TotalOps(a) + 1 && b.NumSlots() == a.NumSlots() + 1;
     }},
    {Mutation::kMoveOp, kRichProgram,
     [](const Program& a, const Program& b) { return TotalOps(b) <= TotalOps(a); },
     [](const Program& a, const Program& b) { return Bags(a) == Bags(b) && Shape(a) != Shape(b); }},
    {Mutation::kRetargetOp, kRichProgram, Any,
     [](const Program& a, const Program& b) {
       int down = 0;
       int up = 0;
       for (size_t t = 0; t < a.threads.size(); t++) {
         down += b.threads[t].size() + 1 == a.threads[t].size();
         up += b.threads[t].size() == a.threads[t].size() + 1;
       }
       return down == 1 && up == 1 && TotalOps(a) == TotalOps(b);
     }},
    {Mutation::kReplaceOp, kRichProgram, Any,
     [](const Program& a, const Program& b) {
       return TotalOps(a) == TotalOps(b) && Shape(a) != Shape(b) && a.threads.size() == b.threads.size();
     }},
    {Mutation::kChangeSize, kRichProgram,
     [](const Program& a, const Program& b) { return Shape(a) == Shape(b); },
     [](const Program& a, const Program& b) {
       return OneFieldDiffers(a, b, [](const Op& op) { return op.size; });
     }},
    {Mutation::kChangeSlot, kRichProgram,
     [](const Program& a, const Program& b) { return Shape(a) == Shape(b); },
     [](const Program& a, const Program& b) {
       return OneFieldDiffers(a, b, [](const Op& op) { return op.slot; });
     }},
    {Mutation::kChangePage, kRichProgram,
     [](const Program& a, const Program& b) { return Shape(a) == Shape(b); },
     [](const Program& a, const Program& b) {
       return OneFieldDiffers(a, b, [](const Op& op) { return op.page; });
     }},
    {Mutation::kChangeValue, kRichProgram,
     [](const Program& a, const Program& b) { return Shape(a) == Shape(b); },
     [](const Program& a, const Program& b) {
       return OneFieldDiffers(a, b, [](const Op& op) { return op.value; });
     }},
    {Mutation::kAddThread, kRichProgram,
     [](const Program& a, const Program& b) { return b.threads.size() == a.threads.size() + 1; }, Any},
    {Mutation::kRemoveThread, kRichProgram,
     [](const Program& a, const Program& b) { return b.threads.size() + 1 == a.threads.size(); }, Any},
    {Mutation::kChangeChain, kRichProgram,
     [](const Program& a, const Program& b) { return a.chain_size != b.chain_size; }, Any},
    {Mutation::kChangeStrategy, kRichProgram,
     [](const Program& a, const Program& b) { return a.schedule.strategy != b.schedule.strategy; }, Any},
    {Mutation::kChangeSeed, kRichProgram,
     [](const Program& a, const Program& b) { return Shape(a) == Shape(b); },
     [](const Program& a, const Program& b) { return a.schedule.seed != b.schedule.seed; }},
    {Mutation::kChangeScheduleParam, kRichProgram,
     [](const Program& a, const Program& b) { return a.schedule.strategy == b.schedule.strategy; },
     [](const Program& a, const Program& b) {
       return a.schedule.depth != b.schedule.depth || a.schedule.steps != b.schedule.steps;
     }},
    {Mutation::kChangeScheduleData, kRichProgram,
     [](const Program& a, const Program& b) { return a.schedule.data != b.schedule.data; }, Any},
    {Mutation::kInsertBulk, kRichProgram,
     [](const Program& a, const Program& b) { return TotalOps(b) >= TotalOps(a) + 2 && Marks(b) > Marks(a); },
     [](const Program& a, const Program& b) { return Marks(b, true) > Marks(a, true); }},
    {Mutation::kResizeBulk, kBulkProgram,
     [](const Program& a, const Program& b) { return Marks(b) != Marks(a) && Shape(a) != Shape(b); },
     [](const Program& a, const Program& b) { return Marks(b, true) > Marks(a, true); }},
};

class MutationTest : public ::testing::TestWithParam<Expectation> {};

TEST_P(MutationTest, DoesWhatItSaysAndStaysValid) {
  const Expectation& e = GetParam();
  const Program base = MustParse(e.base);
  int applied = 0;
  int sometimes = 0;
  for (int seed = 0; seed < kSeeds; seed++) {
    Prng rng(seed);
    Program p = base;
    if (!ApplyMutation(e.mutation, &p, &rng)) {
      EXPECT_EQ(p, base);
      continue;
    }
    applied++;
    ASSERT_EQ(Validate(p), "") << MutationName(e.mutation) << " seed " << seed << "\n" << PrintProgram(p);
    EXPECT_TRUE(e.always(base, p)) << MutationName(e.mutation) << " seed " << seed << "\n" << PrintProgram(p);
    sometimes += e.sometimes(base, p);
  }
  EXPECT_GT(applied, kSeeds / 2) << MutationName(e.mutation);
  EXPECT_GT(sometimes, 0) << MutationName(e.mutation);
}

INSTANTIATE_TEST_SUITE_P(Each, MutationTest, ::testing::ValuesIn(kExpectations),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           return std::string(MutationName(info.param.mutation));
                         });

TEST(MutatorTest, EveryMutationHasAnExpectation) {
  std::set<Mutation> covered;
  for (const Expectation& e : kExpectations) covered.insert(e.mutation);
  EXPECT_EQ(covered.size(), static_cast<size_t>(kNumMutations));
}

TEST(MutatorTest, InapplicableMutationsSayFalse) {
  Program single = MustParse("threads 1\nt0:\n");
  for (Mutation m : {Mutation::kDeleteOp, Mutation::kMoveOp, Mutation::kRetargetOp, Mutation::kRemoveThread,
                     Mutation::kChangeSize, Mutation::kChangeScheduleParam, Mutation::kChangePage}) {
    Prng rng(1);
    Program p = single;
    EXPECT_FALSE(ApplyMutation(m, &p, &rng)) << MutationName(m);
    EXPECT_EQ(p, single);
  }
}

TEST(MutatorTest, DeletingAMallocRepairsItsUsers) {
  Program p = MustParse("threads 2\nt0: malloc 1 -> a ; malloc 2 -> b ; free b\nt1: migrate b page 0\n");
  Draft d = ToDraft(p);
  d.threads[0].erase(d.threads[0].begin() + 1);  // b's malloc
  const Program q = FromDraft(d);
  EXPECT_EQ(Validate(q), "");
  EXPECT_EQ(PrintProgram(q),
            "# zsfuzz program v1\nthreads 2\nt0: malloc 1 -> a ; free a\nt1: migrate a page 0\nschedule "
            "random seed=0\n");
  d.threads[0].erase(d.threads[0].begin());  // and a's: nothing left to free or migrate
  EXPECT_EQ(PrintProgram(FromDraft(d)), "# zsfuzz program v1\nthreads 2\nt0:\nt1:\nschedule random seed=0\n");
}

// What changed between two programs, as the categories the mutator promises.
std::set<std::string> Changes(const Program& a, const Program& b) {
  std::set<std::string> out;
  if (TotalOps(b) > TotalOps(a)) out.insert("ops added");
  if (TotalOps(b) < TotalOps(a)) out.insert("ops removed");
  if (b.threads.size() > a.threads.size()) out.insert("threads added");
  if (b.threads.size() < a.threads.size()) out.insert("threads removed");
  if (a.threads.size() == b.threads.size() && TotalOps(a) == TotalOps(b)) {
    bool counts_moved = false;
    for (size_t t = 0; t < a.threads.size(); t++) counts_moved |= a.threads[t].size() != b.threads[t].size();
    if (counts_moved) out.insert("op retargeted");
    if (!counts_moved && Bags(a) == Bags(b) && Shape(a) != Shape(b)) out.insert("op moved");
    if (OneFieldDiffers(a, b, [](const Op& op) { return op.size; })) out.insert("size");
    if (OneFieldDiffers(a, b, [](const Op& op) { return op.slot; })) out.insert("slot");
    if (OneFieldDiffers(a, b, [](const Op& op) { return op.page; })) out.insert("page");
    if (OneFieldDiffers(a, b, [](const Op& op) { return op.value; })) out.insert("value");
  }
  if (a.chain_size != b.chain_size) out.insert("chain");
  if (a.schedule.strategy != b.schedule.strategy) out.insert("strategy");
  if (a.schedule.seed != b.schedule.seed) out.insert("seed");
  if (a.schedule.strategy == b.schedule.strategy && !(a.schedule == b.schedule) &&
      a.schedule.seed == b.schedule.seed && a.schedule.data == b.schedule.data)
    out.insert("schedule param");
  if (a.schedule.data != b.schedule.data) out.insert("schedule data");
  if (Marks(a) != Marks(b)) out.insert("bulk");
  return out;
}

TEST(MutatorTest, BytesMutatorStaysValidChangesAndCoversEveryKindOfChange) {
  const std::vector<uint8_t> in = EncodeProgram(MustParse(kRichProgram));
  const Program before = DecodeProgram(in.data(), in.size());
  std::map<std::string, int> seen;
  for (unsigned int seed = 0; seed < 3000; seed++) {
    std::vector<uint8_t> buf(in);
    buf.resize(4096);
    const size_t n = MutateProgramBytes(buf.data(), in.size(), buf.size(), seed);
    ASSERT_LE(n, buf.size());
    const Program after = DecodeProgram(buf.data(), n);
    ASSERT_EQ(Validate(after), "") << seed;
    EXPECT_NE(after, before) << seed;
    // Deterministic: the same seed, the same bytes.
    std::vector<uint8_t> again(in);
    again.resize(4096);
    ASSERT_EQ(MutateProgramBytes(again.data(), in.size(), again.size(), seed), n);
    ASSERT_TRUE(std::equal(buf.begin(), buf.begin() + n, again.begin())) << seed;
    for (const std::string& c : Changes(before, after)) seen[c]++;
  }
  for (const char* want :
       {"ops added", "ops removed", "threads added", "threads removed", "op retargeted", "op moved", "size",
        "slot", "page", "value", "chain", "strategy", "seed", "schedule param", "schedule data", "bulk"})
    EXPECT_GT(seen[want], 0) << want;
}

TEST(MutatorTest, BytesMutatorRespectsMaxSizeAndTakesAnyInput) {
  Prng rng(5);
  for (int i = 0; i < 500; i++) {
    std::vector<uint8_t> buf(rng.Below(600));
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng.Next());
    const size_t size = buf.size();
    const size_t max_size = rng.Range(size, size + 64);
    buf.resize(std::max<size_t>(max_size, 1));
    const size_t n = MutateProgramBytes(buf.data(), size, max_size, static_cast<unsigned int>(i));
    ASSERT_LE(n, max_size);
    ASSERT_EQ(Validate(DecodeProgram(buf.data(), n)), "");
  }
  // A program much bigger than max_size loses ops until it fits.
  const std::vector<uint8_t> big = EncodeProgram(MustParse(kRichProgram));
  std::vector<uint8_t> buf(big);
  const size_t n = MutateProgramBytes(buf.data(), buf.size(), 20, 7);
  EXPECT_LE(n, 20u);
  EXPECT_EQ(Validate(DecodeProgram(buf.data(), n)), "");
}

TEST(MutatorTest, CrossOverSplicesBothParents) {
  const Program a = MustParse(kRichProgram);
  const Program b = MustParse(
      "threads 2\nt0: malloc 777 -> x ; free x ; malloc 778 -> y\nt1: malloc 779 -> z ; migrate x page 5\n"
      "schedule rr quantum=7\n");
  const std::vector<uint8_t> ba = EncodeProgram(a);
  const std::vector<uint8_t> bb = EncodeProgram(b);
  int from_a = 0;
  int from_b = 0;
  int mixed_thread = 0;
  int b_schedule = 0;
  for (unsigned int seed = 0; seed < 300; seed++) {
    std::vector<uint8_t> out(4096);
    const size_t n =
        CrossOverProgramBytes(ba.data(), ba.size(), bb.data(), bb.size(), out.data(), out.size(), seed);
    const Program c = DecodeProgram(out.data(), n);
    ASSERT_EQ(Validate(c), "") << seed;
    bool has_a = false;
    bool has_b = false;
    for (const auto& ops : c.threads) {
      bool thread_a = false;
      bool thread_b = false;
      for (const Op& op : ops) {
        if (op.code == OpCode::kMalloc && (op.size == 1560 || op.size == 32 || op.size == 0)) thread_a = true;
        if (op.code == OpCode::kMalloc && op.size >= 777 && op.size <= 779) thread_b = true;
      }
      has_a |= thread_a;
      has_b |= thread_b;
      mixed_thread += thread_a && thread_b;
    }
    from_a += has_a;
    from_b += has_b;
    b_schedule += c.schedule.strategy == zs_sched::Strategy::kRoundRobin;
    std::vector<uint8_t> again(4096);
    ASSERT_EQ(
        CrossOverProgramBytes(ba.data(), ba.size(), bb.data(), bb.size(), again.data(), again.size(), seed),
        n);
    ASSERT_TRUE(std::equal(out.begin(), out.begin() + n, again.begin()));
  }
  EXPECT_GT(from_a, 0);
  EXPECT_GT(from_b, 0);
  EXPECT_GT(mixed_thread, 0);
  EXPECT_GT(b_schedule, 0);
  // A small output buffer still gets a valid program.
  std::vector<uint8_t> small(8);
  const size_t n =
      CrossOverProgramBytes(ba.data(), ba.size(), bb.data(), bb.size(), small.data(), small.size(), 3);
  EXPECT_LE(n, 8u);
  EXPECT_EQ(Validate(DecodeProgram(small.data(), n)), "");
}

TEST(MutatorTest, ALongChainOfMutationsAndSplicesStaysValid) {
  // As a fuzzer uses it: each output is the next input, spliced now and then
  // with an earlier one, from nothing to programs of several threads.
  std::vector<uint8_t> cur(512);
  size_t size = 0;
  std::vector<std::vector<uint8_t>> pool;
  size_t max_threads = 0;
  size_t max_ops = 0;
  for (unsigned int seed = 0; seed < 5000; seed++) {
    size = MutateProgramBytes(cur.data(), size, cur.size(), seed);
    ASSERT_LE(size, cur.size());
    Program p = DecodeProgram(cur.data(), size);
    ASSERT_EQ(Validate(p), "") << seed;
    if (seed % 50 == 0) pool.emplace_back(cur.begin(), cur.begin() + size);
    if (seed % 10 == 9 && !pool.empty()) {
      const std::vector<uint8_t>& other = pool[seed % pool.size()];
      std::vector<uint8_t> out(cur.size());
      size =
          CrossOverProgramBytes(cur.data(), size, other.data(), other.size(), out.data(), out.size(), seed);
      cur = out;
      p = DecodeProgram(cur.data(), size);
      ASSERT_EQ(Validate(p), "") << seed;
    }
    max_threads = std::max(max_threads, p.threads.size());
    max_ops = std::max(max_ops, TotalOps(p));
  }
  EXPECT_GE(max_threads, 4u);
  EXPECT_GE(max_ops, 40u);
}

TEST(MutatorTest, DesignExampleMutatesToo) {
  const std::vector<uint8_t> in = EncodeProgram(MustParse(kDesignExample));
  std::vector<uint8_t> buf(in);
  buf.resize(256);
  const size_t n = MutateProgramBytes(buf.data(), in.size(), buf.size(), 1);
  EXPECT_EQ(Validate(DecodeProgram(buf.data(), n)), "");
}

}  // namespace
}  // namespace zsfuzz
