// The seeded mutants (tests/mutants): each is caught, by the check it was
// seeded for, with the verdict text below, on its witness program; the
// variant it breaks agrees with the base tree on that same program. One
// verdict line each, so a change in what a check says shows up here.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "allocator/variants/mutants/mutants.h"
#include "fuzzers/campaign/minimize.h"
#include "oracle/check.h"
#include "tests/oracle/oracle_test_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#endif
#endif

namespace zsfuzz_test {
namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZS_TEST_ASAN 1
#endif
#endif

// A run that BUGs abandons its virtual thread mid-report (BugAction::kReturn),
// and with it the only pointers to the report's strings (ASan's fake stack
// frames are dropped). LeakSanitizer would call that a leak at exit; it is
// the price of turning a BUG into a verdict, so such runs are left out.
class IgnoreLeaksOfBuggingRuns {
 public:
  explicit IgnoreLeaksOfBuggingRuns(bool bugs) : on_(bugs) {
#ifdef ZS_TEST_ASAN
    if (on_) __lsan_disable();
#endif
  }
  ~IgnoreLeaksOfBuggingRuns() {
#ifdef ZS_TEST_ASAN
    if (on_) __lsan_enable();
#endif
  }
  IgnoreLeaksOfBuggingRuns(const IgnoreLeaksOfBuggingRuns&) = delete;
  IgnoreLeaksOfBuggingRuns& operator=(const IgnoreLeaksOfBuggingRuns&) = delete;

 private:
  [[maybe_unused]] const bool on_;  // read only in ASan builds
};

bool Bugs(const zsfuzz::SeededMutant& m) { return std::string(m.check).rfind("kernel:BUG", 0) == 0; }
// Its bug crashes the process (a wild pointer, no BUG on the way): checked
// in a forked child, as zsfuzz repro checks, and its line is the signature.
bool Crashes(const zsfuzz::SeededMutant& m) { return std::string(m.check).rfind("crash:", 0) == 0; }

// The first line of each mutant's verdict on its witness.
const std::map<std::string, std::string> kFirstLines = {
    {"mut-pages-leak", "zs_get_total_pages: got=7 zspages hold=0"},
    {"mut-stat-inuse", "class 5 obj_used: stat=1 recount=0"},
    {"mut-fullness", "class 126 zspage pfn 0x10000 fullness: got=100% expected=60% (inuse 1 of 2)"},
    {"mut-free-unlocked", "BUG: !zpdesc_is_locked(zpdesc) at "},
    {"mut-lock-order", "lockdep: possible circular locking dependency detected"},
    {"mut-migrate-copy", "slot a checksum after t0 op 2 (migrate a page 0): got="},
    {"mut-always-defer", "class 5 obj_allocated: post=0 mut-always-defer=256"},
    {"mut-no-kick", "empty zspages after the drain: got=1 expected=0 (the first in class 5)"},
    {"mut-stat-unlocked", "stat_classes class 5 obj_allocated: got=256 fullness counts imply=0"},
    {"mut-pages-twice", "zs_get_total_pages: got=18446744073709551609 zspages hold=0"},
    {"mut-free-order", "class 5 zspage pfn 0x10000 fullness: got=10% expected=ratio_0 (inuse 0 of 256)"},
    {"mut-migrate-no-class", "BUG: list_empty(&class_->fullness_list[fullness]) at "},
    {"mut-no-reread", "BUG: pfn_to_page of an invalid pfn at "},
    {"mut-remove-unlocked", "BUG: get_zspage_inuse(zspage) at "},
    {"mut-unlock-before-reset", "BUG: Bad page state: freeing a free page (double free) at "},
    {"mut-check-after-unlock", "BUG: zspage_class(pool, zspage) != class_ at "},
    {"mut-async-nolock", "BUG: !zpdesc_is_locked(zpdesc) at "},
    {"mut-compact-miscount", "compact pages freed: got=1 model=3 (zs_get_total_pages went from 6 to 3)"},
    {"mut-shrink-skip", "shrink_count result: got=0 model=1 (zs_can_compact() of every class)"},
    {"mut-old-lock-zspage", "crash:SIGSEGV"},
    {"mut-compact-defer-uncounted",
     "compact pages freed: got=0 released=1 (pages of zspages this compaction freed or left to the deferred "
     "free)"},
    {"mut-concurrent-compact",
     "pool pages_compacted after the drain: got=2 model=3 (what compactions returned)"},
    {"mut-destroy-no-flush", "BUG: ODEBUG: free active object type: work_struct at "},
    {"mut-malloc-contended", "class 0 obj_allocated: mut-malloc-contended=256 post=128"},
    {"mut-compact-stops-contended", "compact returned: mut-compact-stops-contended=7 post=14"},
};

std::vector<std::string> MutantNames() {
  std::vector<std::string> names;
  for (const zsfuzz::SeededMutant& m : zsfuzz::SeededMutants()) names.push_back(m.name);
  return names;
}

class MutantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MutantTest, CaughtByItsCheck) {
  const zsfuzz::SeededMutant* m = zsfuzz::FindSeededMutant(GetParam());
  ASSERT_NE(m, nullptr);
  // This build's sanitizer reports it (and stops the process) before any
  // verdict: that is the detection here, checked by its own ctest.
  if (m->sanitizer_reports) GTEST_SKIP() << "the sanitizer reports it: see ctest mutant_<name>_<sanitizer>";
  const zsfuzz::Program p = ProgramFromText(m->witness);
  if (Crashes(*m)) {
    const zsfuzz::Outcome o =
        zsfuzz::RunIsolated(zsfuzz::targets::KindForProgram(p), p, {Variant(m->base), m->ops});
    EXPECT_TRUE(o.crashed) << m->name;
    EXPECT_EQ(o.signature, m->check);
    EXPECT_EQ(kFirstLines.at(m->name), m->check);
    EXPECT_FALSE(zsfuzz::CheckProgram(p, Variant("pre"), Variant(m->base), {}).finding);
    return;
  }
  const IgnoreLeaksOfBuggingRuns ignore(Bugs(*m));
  const zsfuzz::Verdict v = zsfuzz::CheckProgram(p, Variant(m->base), m->ops, {});
  ASSERT_TRUE(v.finding) << m->name << " survived its witness";
  EXPECT_EQ(v.signature, m->check) << v.message;
  EXPECT_EQ(v.variant, m->name);
  const std::string first = v.message.substr(0, v.message.find('\n'));
  ASSERT_TRUE(kFirstLines.count(m->name)) << "add the verdict line of " << m->name;
  EXPECT_EQ(first.rfind(kFirstLines.at(m->name), 0), 0u) << first;
  // Not a false positive: the variant it breaks is clean on the same program.
  const zsfuzz::Verdict base = zsfuzz::CheckProgram(p, Variant("pre"), Variant(m->base), {});
  EXPECT_FALSE(base.finding) << base.message;
}

TEST_P(MutantTest, SameSignatureOnTheWitnessGrown) {
  const zsfuzz::SeededMutant* m = zsfuzz::FindSeededMutant(GetParam());
  ASSERT_NE(m, nullptr);
  zsfuzz::Program p = ProgramFromText(m->witness);
  if (p.threads.size() > 1) GTEST_SKIP() << "a longer program interleaves differently";
  // What minimization takes away: ops before and after the bug's.
  const IgnoreLeaksOfBuggingRuns ignore(Bugs(*m));
  const zsfuzz::Verdict small = zsfuzz::CheckProgram(p, Variant(m->base), m->ops, {});
  p.threads[0].insert(p.threads[0].begin(),
                      {zsfuzz::Op{zsfuzz::OpCode::kStatPool}, zsfuzz::Op{zsfuzz::OpCode::kShrinkCount}});
  p.threads[0].push_back(zsfuzz::Op{zsfuzz::OpCode::kStatPages});
  const zsfuzz::Verdict grown = zsfuzz::CheckProgram(p, Variant(m->base), m->ops, {});
  EXPECT_EQ(grown.signature, small.signature);
}

INSTANTIATE_TEST_SUITE_P(Seeded, MutantTest, ::testing::ValuesIn(MutantNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

// The shrinker's count is checked at the drain too, so a program that only
// builds the state (no shrink_count op) catches mut-shrink-skip.
TEST(MutantDrainChecks, ShrinkSkipWithoutAShrinkCountOp) {
  const zsfuzz::SeededMutant* m = zsfuzz::FindSeededMutant("mut-shrink-skip");
  ASSERT_NE(m, nullptr);
  const zsfuzz::Program p =
      ProgramFromText("threads 2\nt0: malloc 16 x 192 -> a ; free a x 64\nt1: compact\n");
  const zsfuzz::Verdict v = zsfuzz::CheckProgram(p, Variant(m->base), m->ops, {});
  EXPECT_EQ(v.signature, "model:drained.shrink_count") << v.message;
  EXPECT_FALSE(zsfuzz::CheckProgram(p, Variant("pre"), Variant(m->base), {}).finding);
}

// What only level 5 (linearization replay, oracle/linearization.h) catches:
// with it off, levels 1-4 pass the mutant's witness.
TEST(MutantLevelFive, MallocContendedPassesLevelsOneToFour) {
  const zsfuzz::SeededMutant* m = zsfuzz::FindSeededMutant("mut-malloc-contended");
  ASSERT_NE(m, nullptr);
  const zsfuzz::Program p = ProgramFromText(m->witness);
  zsfuzz::CheckOptions o;
  EXPECT_EQ(zsfuzz::CheckProgram(p, Variant(m->base), m->ops, o).signature, m->check);
  o.linearization = false;
  const zsfuzz::Verdict v = zsfuzz::CheckProgram(p, Variant(m->base), m->ops, o);
  EXPECT_FALSE(v.finding) << v.message;
}

TEST(MutantRegistry, EveryMutantIsWiredUp) {
  EXPECT_EQ(zsfuzz::SeededMutants().size(), kFirstLines.size());
  for (const zsfuzz::SeededMutant& m : zsfuzz::SeededMutants()) {
    EXPECT_EQ(zsfuzz::FindSeededMutant(m.name), &m);
    EXPECT_STREQ(m.ops->name, m.name);
    EXPECT_EQ(zs_find_variant(m.name), nullptr) << "mutants stay out of the variant registry";
    EXPECT_NE(zs_find_variant(m.base), nullptr);
    EXPECT_NE(std::string(m.witness).find("# zsfuzz program v1"), std::string::npos);
  }
  EXPECT_EQ(zsfuzz::FindSeededMutant("post"), nullptr);
}

// zs_add_mutant() gives a mutant the traits of the variant it breaks (none
// declares its own), so the oracle bounds it as it bounds that variant.
TEST(MutantRegistry, EveryMutantHasItsBasesTraits) {
  for (const zsfuzz::SeededMutant& m : zsfuzz::SeededMutants()) {
    SCOPED_TRACE(m.name);
    const zs_variant_ops* base = zs_find_variant(m.base);
    ASSERT_NE(base, nullptr);
    EXPECT_TRUE(m.ops->traits.declared);
    EXPECT_EQ(m.ops->traits.class_in_obj, base->traits.class_in_obj);
    EXPECT_EQ(m.ops->traits.free_without_pool_lock, base->traits.free_without_pool_lock);
    EXPECT_EQ(m.ops->traits.frees_pages_outside_class_lock, base->traits.frees_pages_outside_class_lock);
    EXPECT_TRUE(zsfuzz::TraitsFor(m.ops).ok());
  }
}

}  // namespace
}  // namespace zsfuzz_test
