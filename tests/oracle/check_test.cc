// The oracle's public API (oracle/check.h): pre against post, post-1 and
// post-1-2 without a finding on crafted programs, one- and several-thread;
// verdicts that replay (same trace hash) and read as documented; the kernel
// check on runs that did not finish or reported; the in-flight bounds taken
// from the traits in the variant's table, and a table without traits refused.
#include <gtest/gtest.h>

#include <string>

#include "absl/status/statusor.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "oracle/check.h"
#include "oracle/invariants.h"
#include "oracle/program/binary.h"
#include "oracle/program/prng.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::CheckOptions;
using zsfuzz::Verdict;

// Crafted to reach every op, every kind of size and every free path.
const char* const kOneThread[] = {
    // Sizes: errors, the smallest class, page-spanning, huge, the largest.
    "threads 1\n"
    "t0: malloc 0 -> a ; malloc 4097 -> b ; malloc 8192 -> c ; malloc 1 -> d ; malloc 1560 -> e ; "
    "malloc 3625 -> f ; malloc 4096 -> g ; write d ; write e ; write f ; write g ; read d ; read_sg e ; "
    "read f ; read_sg g ; free d ; free e ; free f ; free g ; write e ; free e\n",
    // Fragmentation, compaction and the shrinker.
    "threads 1\n"
    "t0: malloc 700 -> a ; malloc 700 -> b ; malloc 700 -> c ; malloc 700 -> d ; malloc 700 -> e ; "
    "malloc 700 -> f ; malloc 700 -> g ; write a ; write c ; write g ; free b ; free d ; free e ; free f ; "
    "shrink_count ; stat_classes ; shrink_scan 8 ; stat_pool ; compact ; compact ; read a ; read c ; "
    "read g ; stat_pages ; free a ; free c ; free g ; shrink_scan 1\n",
    // Migration in steps, of live, freed and huge pages.
    "chain 4\nthreads 1\n"
    "t0: malloc 1560 -> a ; write a ; isolate a page 1 ; migrate a page 1 ; read a ; isolate a page 2 ; "
    "putback a page 2 ; migrate a page 3 ; read_sg a ; malloc 4000 -> b ; write b ; migrate b page 0 ; "
    "isolate b page 0 ; free b ; putback b page 0 ; isolate a page 0 ; free a ; migrate a page 0 ; flush\n",
    // Allocation failures and pressure.
    "chain 16\nthreads 1\n"
    "t0: pressure 5 ; fail_pages 3 ; malloc 100 -> a ; malloc 3000 -> b ; fail_pages 0 ; malloc 3000 -> c ; "
    "fail_slab 2 ; malloc 50 -> d ; malloc 50 -> e ; malloc 50 -> f ; write f ; fail_pages 1 ; "
    "migrate f page 0 ; migrate f page 0 ; read f ; pressure 0 ; stat_pages ; free f ; free c\n",
};

const char* const kThreads[] = {
    "threads 2\n"
    "t0: malloc 100 -> a ; write a ; read a ; read a ; read a ; free a ; malloc 100 -> c ; write c\n"
    "t1: malloc 3000 -> b ; write b ; migrate a page 0 ; migrate a page 0 ; migrate a page 0 ; read b ; "
    "stat_pages ; compact ; migrate c page 0 ; free b\n",
    "threads 3\n"
    "t0: malloc 700 -> a ; malloc 700 -> b ; malloc 700 -> c ; free a ; free c ; write b ; read b\n"
    "t1: malloc 700 -> d ; write d ; compact ; shrink_scan 4 ; stat_classes ; free d\n"
    "t2: isolate b page 0 ; stat_pages ; migrate b page 0 ; flush ; stat_pool ; shrink_count ; stat_pages\n",
    "threads 4\n"
    "t0: fail_pages 2 ; malloc 2000 -> a ; malloc 2000 -> b ; write b ; free b\n"
    "t1: malloc 100 -> c ; write c ; fail_slab 1 ; malloc 100 -> d ; read c ; free c\n"
    "t2: pressure 3 ; malloc 4000 -> e ; write e ; migrate e page 0 ; read_sg e ; free e\n"
    "t3: stat_pages ; stat_classes ; compact ; stat_pages ; migrate c page 0 ; stat_pool\n",
};

TEST(CheckTest, ReleasedVariantsAgreeWithThePreTreeOnOneThread) {
  for (const char* text : kOneThread) {
    const zsfuzz::Program p = ProgramFromText(text);
    for (const char* v : {"post", "post-1", "post-1-2"}) {
      const Verdict verdict = zsfuzz::CheckSequential(p, Variant("pre"), Variant(v), {});
      EXPECT_FALSE(verdict.finding) << v << ": " << verdict.message;
      EXPECT_EQ(verdict.variant, v);
      EXPECT_NE(verdict.trace_hash, 0u);
    }
  }
}

// Schedules: PCT at depths 1-3 and random, a few seeds each.
TEST(CheckTest, ReleasedVariantsAgreeWithThePreTreeOnThreads) {
  const zs_sched::Schedule schedules[] = {
      zs_sched::Schedule::Random(1),    zs_sched::Schedule::Random(2), zs_sched::Schedule::Random(3),
      zs_sched::Schedule::Pct(1, 4),    zs_sched::Schedule::Pct(2, 5), zs_sched::Schedule::Pct(3, 6),
      zs_sched::Schedule::RoundRobin(),
  };
  for (const char* text : kThreads) {
    zsfuzz::Program p = ProgramFromText(text);
    for (const zs_sched::Schedule& s : schedules) {
      p.schedule = s;
      for (const char* v : {"post", "post-1", "post-1-2"}) {
        const Verdict verdict = zsfuzz::CheckConcurrent(p, Variant("pre"), Variant(v), {});
        EXPECT_FALSE(verdict.finding) << v << ", " << s.ToString() << ": " << verdict.message;
      }
    }
  }
}

// Programs from random bytes (every byte string decodes to one): one thread
// or several, any op mix and schedule. A false positive here is a defect of
// the oracle; 300 programs take a few seconds.
TEST(CheckTest, ReleasedVariantsAgreeWithThePreTreeOnRandomPrograms) {
  zsfuzz::Prng rng(20261126);
  for (int i = 0; i < 300; i++) {
    std::vector<uint8_t> bytes(rng.Range(16, 400));
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.Below(256));
    const zsfuzz::Program p = zsfuzz::DecodeProgram(bytes.data(), bytes.size());
    const char* v = i % 3 == 0 ? "post" : i % 3 == 1 ? "post-1" : "post-1-2";
    const Verdict verdict = zsfuzz::CheckProgram(p, Variant("pre"), Variant(v), {});
    EXPECT_FALSE(verdict.finding) << "program " << i << ", " << v << ": " << verdict.message;
  }
}

TEST(CheckTest, CheckProgramPicksTheModeByThreads) {
  // The same ops as one thread and as two: CheckSequential concatenates.
  const zsfuzz::Program two = ProgramFromText("threads 2\nt0: malloc 100 -> a ; write a\nt1: stat_pages\n");
  const zsfuzz::Program one = ProgramFromText("threads 1\nt0: malloc 100 -> a ; write a ; stat_pages\n");
  EXPECT_EQ(zsfuzz::CheckSequential(two, Variant("pre"), Variant("post"), {}).trace_hash,
            zsfuzz::CheckProgram(one, Variant("pre"), Variant("post"), {}).trace_hash);
  EXPECT_EQ(zsfuzz::CheckProgram(two, Variant("pre"), Variant("post"), {}).trace_hash,
            zsfuzz::CheckConcurrent(two, Variant("pre"), Variant("post"), {}).trace_hash);
  EXPECT_NE(zsfuzz::CheckProgram(two, Variant("pre"), Variant("post"), {}).trace_hash,
            zsfuzz::CheckProgram(one, Variant("pre"), Variant("post"), {}).trace_hash);
}

TEST(CheckTest, OneVariantAlone) {
  const Verdict v = zsfuzz::CheckProgram(ProgramFromText(kThreads[0]), Variant("post"), nullptr, {});
  EXPECT_FALSE(v.finding) << v.message;
  EXPECT_EQ(v.variant, "post");
}

// A real finding: post's lockless free measured against the base tree's
// bound (inflight_test.cc), through the API.
Verdict BoundFinding(const CheckOptions& base) {
  static const zsfuzz::VariantTraits strict{false};
  CheckOptions opt = base;
  opt.traits_b = &strict;
  std::string t1 = "t1: malloc 3000 -> x ; write x";
  for (int i = 0; i < 12; i++) t1 += " ; read x ; stat_pages";
  return zsfuzz::CheckConcurrent(
      ProgramFromText("threads 2\n"
                      "t0: malloc 100 -> a ; free a ; malloc 100 -> b ; free b ; malloc 100 -> c ; free c\n" +
                      t1 + "\nschedule random seed=1\n"),
      Variant("pre"), Variant("post"), opt);
}

TEST(CheckTest, AVerdictReadsAsDocumentedAndReplays) {
  const Verdict v = BoundFinding({});
  ASSERT_TRUE(v.finding);
  EXPECT_EQ(v.check, "inflight");
  EXPECT_EQ(v.signature, "inflight:stat_pages.pages_allocated");
  EXPECT_EQ(v.variant, "post");
  const std::string first = v.message.substr(0, v.message.find('\n'));
  EXPECT_EQ(first.rfind("stat_pages pages_allocated: got=", 0), 0u) << first;
  EXPECT_NE(v.message.find("\ncheck: inflight, in t1 op "), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("\nprogram:\n# zsfuzz program v1\nthreads 2\n"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("\ntrace of post (t1 op "), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("zsfuzz_op"), std::string::npos) << "the excerpt starts at the op";
  EXPECT_FALSE(v.trace.empty());
  // The same program, the same verdict and run.
  const Verdict again = BoundFinding({});
  EXPECT_EQ(again.trace_hash, v.trace_hash);
  EXPECT_EQ(again.message, v.message);
  // With the whole trace.
  CheckOptions traced;
  traced.record_trace = true;
  const Verdict full = BoundFinding(traced);
  EXPECT_EQ(full.trace_hash, v.trace_hash);
  EXPECT_GT(full.trace.size(), v.trace.size());
  EXPECT_EQ(full.signature, v.signature);
}

// The verdict counts its runs' scheduler steps (zsfuzz bench targets): some
// for every program, the same on every check of it, both variants' summed
// (and level 5's replays), and a finding's rerun for its trace excerpt not
// counted.
TEST(CheckTest, AVerdictCountsTheStepsOfItsRuns) {
  for (const char* text : {kOneThread[0], kOneThread[2], kThreads[0], kThreads[1]}) {
    const zsfuzz::Program p = ProgramFromText(text);
    const Verdict first = zsfuzz::CheckProgram(p, Variant("pre"), Variant("post"), {});
    const Verdict again = zsfuzz::CheckProgram(p, Variant("pre"), Variant("post"), {});
    EXPECT_GT(first.program_steps, 0u) << text;
    EXPECT_EQ(again.program_steps, first.program_steps) << text;
    EXPECT_EQ(again.oracle_steps, first.oracle_steps) << text;
    const Verdict pre = zsfuzz::CheckProgram(p, Variant("pre"), nullptr, {});
    const Verdict post = zsfuzz::CheckProgram(p, Variant("post"), nullptr, {});
    // Level 5's replays (several threads) add theirs.
    CheckOptions no_replay;
    no_replay.linearization = false;
    const Verdict two_runs = zsfuzz::CheckProgram(p, Variant("pre"), Variant("post"), no_replay);
    EXPECT_EQ(two_runs.program_steps, pre.program_steps + post.program_steps) << text;
    EXPECT_EQ(two_runs.oracle_steps, pre.oracle_steps + post.oracle_steps) << text;
    EXPECT_EQ(first.program_steps > two_runs.program_steps, first.replays > 0) << text;
    EXPECT_EQ(first.oracle_steps, two_runs.oracle_steps) << text;
  }
  // Without the whole trace a finding's check reruns the run it is about for
  // the excerpt; with it, it does not. The counts are the same.
  CheckOptions traced;
  traced.record_trace = true;
  const Verdict rerun = BoundFinding({});
  const Verdict once = BoundFinding(traced);
  ASSERT_TRUE(rerun.finding);
  EXPECT_GT(rerun.program_steps, 0u);
  EXPECT_EQ(rerun.program_steps, once.program_steps);
  EXPECT_EQ(rerun.oracle_steps, once.oracle_steps);
}

TEST(CheckTest, TheStepBudgetEndsARunAsAKernelFinding) {
  CheckOptions opt;
  opt.max_steps = 200;
  const Verdict v =
      zsfuzz::CheckSequential(ProgramFromText(kOneThread[1]), Variant("pre"), Variant("post"), opt);
  ASSERT_TRUE(v.finding);
  EXPECT_EQ(v.signature, "kernel:step-budget");
  EXPECT_EQ(v.variant, "pre");
  EXPECT_NE(v.message.find("scheduler report:\nzs_sched: step budget of 200 steps exhausted"),
            std::string::npos)
      << v.message;
}

// The kernel check on crafted records.
TEST(CheckTest, KernelReports) {
  zsfuzz::ExecResult r = Exec("threads 1\nt0: malloc 100 -> a ; free a\n", "post");
  EXPECT_FALSE(zsfuzz::oracle::CheckKernel(r, true));
  zsfuzz::ExecResult w = r;
  w.warns = 2;
  auto f = zsfuzz::oracle::CheckKernel(w, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "WARN");
  EXPECT_EQ(Got(f).headline, "WARN: 2 kernel warning(s), the report on stderr");
  zsfuzz::ExecResult l = r;
  l.lockdep_reports = 1;
  l.lockdep_first =
      "\n======\nWARNING: possible circular locking dependency detected\n------\nt0 is trying to acquire "
      "lock:\n";
  f = zsfuzz::oracle::CheckKernel(l, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "lockdep: possible circular locking dependency detected");
  zsfuzz::ExecResult b = r;
  b.run.status = zs_sched::RunStatus::kBug;
  b.run.report =
      "zs_sched: BUG in virtual thread T0 \"root\" at step 90\nBUG: zspage->inuse at "
      "/x/zsmalloc.cc:12\nComm: root\n";
  b.ops[0][1].status = zsfuzz::OpStatus::kNotRun;
  f = zsfuzz::oracle::CheckKernel(b, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "BUG: zspage->inuse");
  EXPECT_EQ(Got(f).headline, "BUG: zspage->inuse at /x/zsmalloc.cc:12");
  EXPECT_EQ(Got(f).where, "in t0 op 1");
  EXPECT_EQ(Got(f).position, 1u);
  zsfuzz::ExecResult d = r;
  d.run.status = zs_sched::RunStatus::kDeadlock;
  d.run.report = "zs_sched: deadlock after 77 steps: no runnable virtual thread, 2 blocked\n";
  f = zsfuzz::oracle::CheckKernel(d, false);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "deadlock");
  zsfuzz::ExecResult p = r;
  p.pool_created = false;
  f = zsfuzz::oracle::CheckKernel(p, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(Got(f).field, "create_pool");
}

// ---- Traits come from the variant's table, never from its name -------------

// A copy of a registered variant's table under another name, e.g. as a test
// or an out-of-tree caller might build one.
zs_variant_ops Copy(const char* of, const char* name) {
  zs_variant_ops v = *Variant(of);
  v.name = name;
  return v;
}

TEST(TraitsForTest, ReadsTheTableNotTheName) {
  // pre's code under post's name and the other way round.
  const zs_variant_ops pre_as_post = Copy("pre", "post");
  const zs_variant_ops post_as_pre = Copy("post", "pre");
  ASSERT_TRUE(zsfuzz::TraitsFor(&pre_as_post).ok());
  ASSERT_TRUE(zsfuzz::TraitsFor(&post_as_pre).ok());
  EXPECT_FALSE(zsfuzz::TraitsFor(&pre_as_post)->frees_pages_outside_class_lock);
  EXPECT_TRUE(zsfuzz::TraitsFor(&post_as_pre)->frees_pages_outside_class_lock);
  // A new name with declared traits is judged by them, not by a default.
  zs_variant_ops renamed = Copy("post-1-2", "my-new-variant");
  ASSERT_TRUE(zsfuzz::TraitsFor(&renamed).ok());
  EXPECT_FALSE(zsfuzz::TraitsFor(&renamed)->frees_pages_outside_class_lock);
}

TEST(TraitsForTest, RefusesAVariantThatDeclaresNoTraits) {
  zs_variant_ops hand_built = Copy("post", "hand-built");
  hand_built.traits = zs_variant_traits{};
  const absl::StatusOr<zsfuzz::VariantTraits> t = zsfuzz::TraitsFor(&hand_built);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(t.status().message());
  EXPECT_NE(message.find("variant 'hand-built' does not declare its traits"), std::string::npos) << message;
  EXPECT_NE(message.find("TRAITS"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_FALSE(zsfuzz::TraitsFor(nullptr).ok());
}

TEST(TraitsForTest, TheChecksRefuseAVariantThatDeclaresNoTraits) {
  zs_variant_ops hand_built = Copy("post", "hand-built");
  hand_built.traits = zs_variant_traits{};
  const zsfuzz::Program one = ProgramFromText(kOneThread[0]);
  const zsfuzz::Program two = ProgramFromText(kThreads[0]);
  for (const Verdict& v : {zsfuzz::CheckProgram(one, Variant("pre"), &hand_built, {}),
                           zsfuzz::CheckProgram(one, &hand_built, Variant("pre"), {}),
                           zsfuzz::CheckProgram(two, Variant("pre"), &hand_built, {}),
                           zsfuzz::CheckSequential(one, &hand_built, nullptr, {})}) {
    EXPECT_NE(v.error.find("variant 'hand-built' does not declare its traits"), std::string::npos) << v.error;
    EXPECT_FALSE(v.finding);
    EXPECT_TRUE(v.variant.empty()) << "nothing ran";
  }
  // A declared variant checks as before: no error.
  const Verdict ok = zsfuzz::CheckProgram(two, Variant("pre"), Variant("post"), {});
  EXPECT_TRUE(ok.error.empty()) << ok.error;
  EXPECT_FALSE(ok.finding) << ok.message;
}

// traits_a / traits_b still override: the variant is judged by the given
// bound, declared or not.
TEST(TraitsForTest, OptionsOverrideTheDeclaredTraits) {
  zs_variant_ops hand_built = Copy("post", "hand-built");
  hand_built.traits = zs_variant_traits{};
  static const zsfuzz::VariantTraits lockless{true};
  CheckOptions opt;
  opt.traits_b = &lockless;
  const Verdict v = zsfuzz::CheckProgram(ProgramFromText(kThreads[0]), Variant("pre"), &hand_built, opt);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_FALSE(v.finding) << v.message;
  EXPECT_EQ(v.variant, "hand-built");
}

}  // namespace
}  // namespace zsfuzz_test
