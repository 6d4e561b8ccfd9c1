// The targets' shared logic in-process: variant pairs, decoding, the seq
// target's one-thread form, interleaving coverage, finding file texts, and
// minimize's op dropping.
#include "fuzzers/targets/diff_target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "fuzzers/campaign/minimize.h"
#include "fuzzers/targets/interleaving_coverage.h"
#include "fuzzers/targets/occupancy_feedback.h"
#include "oracle/program/binary.h"
#include "oracle/program/prng.h"
#include "oracle/program/text.h"

namespace zsfuzz::targets {
namespace {

// Two threads contending on one class, a migration of t0's object by t1.
constexpr const char* kTwoThreads =
    "# zsfuzz program v1\n"
    "threads 2\n"
    "t0: malloc 100 -> a ; write a ; malloc 100 -> b ; read a ; free a ; write b ; free b\n"
    "t1: malloc 100 -> c ; write c ; migrate a page 0 ; compact ; free c\n"
    "schedule random seed=3\n";

VariantPair MustPair(const char* text) {
  std::string error;
  std::optional<VariantPair> pair = ParseVariantPair(text, &error);
  if (!pair) {
    ADD_FAILURE() << error;
    return {zs_find_variant("pre"), zs_find_variant("post")};
  }
  return *pair;
}

Program MustParse(const std::string& text) {
  absl::StatusOr<Program> p = ParseProgram(std::string_view(text));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Program{};
}

TEST(VariantPairTest, ParsesTwoRegisteredVariants) {
  std::string error;
  std::optional<VariantPair> pair = ParseVariantPair("pre,post-rfc-v2", &error);
  if (!pair) FAIL() << error;
  EXPECT_STREQ(pair->a->name, "pre");
  EXPECT_STREQ(pair->b->name, "post-rfc-v2");
  EXPECT_EQ(pair->ToString(), "pre,post-rfc-v2");
}

TEST(VariantPairTest, RejectsWithOneLineNamingTheProblem) {
  for (const auto& [text, mention] :
       std::vector<std::pair<std::string, std::string>>{{"pre", "A,B"},
                                                        {"pre,nope", "'nope'"},
                                                        {"post,post", "twice"},
                                                        {"pre,post,post-1", "A,B"},
                                                        {",", "A,B"}}) {
    std::string error;
    EXPECT_FALSE(ParseVariantPair(text, &error)) << text;
    EXPECT_NE(error.find(mention), std::string::npos) << text << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::string error;
  ParseVariantPair("pre,nope", &error);
  EXPECT_NE(error.find("post-rfc-v2"), std::string::npos) << "lists the valid variants: " << error;
}

// A variant whose table declares no traits (oracle/check.h, TraitsFor): one
// line that names it, for `zsfuzz run/repro/minimize --variants` to print.
zs_variant_ops g_hand_built;

TEST(VariantPairTest, RejectsAVariantThatDeclaresNoTraits) {
  g_hand_built = *zs_find_variant("post");
  g_hand_built.name = "hand-built";
  g_hand_built.traits = zs_variant_traits{};
  SetExtraVariantLookup(
      [](std::string_view name) -> const zs_variant_ops* {
        return name == "hand-built" ? &g_hand_built : nullptr;
      },
      "hand-built");
  for (const char* text : {"pre,hand-built", "hand-built,post"}) {
    std::string error;
    EXPECT_FALSE(ParseVariantPair(text, &error)) << text;
    EXPECT_NE(error.find("variant 'hand-built' does not declare its traits"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // With traits it is accepted.
  g_hand_built.traits = zs_find_variant("post")->traits;
  std::string error;
  EXPECT_TRUE(ParseVariantPair("pre,hand-built", &error)) << error;
  SetExtraVariantLookup(nullptr, "");
}

TEST(DecodeInputTest, ReadsTextAndBinaryAlike) {
  const Program p = MustParse(kTwoThreads);
  const std::vector<uint8_t> bytes = EncodeProgram(p);
  EXPECT_EQ(DecodeInput(bytes.data(), bytes.size()), p);
  const std::string text = PrintProgram(p);
  EXPECT_EQ(DecodeInput(reinterpret_cast<const uint8_t*>(text.data()), text.size()), p);
}

TEST(DecodeInputTest, BrokenTextFallsBackToBinaryAndStaysValid) {
  const std::string text = "# zsfuzz program v1\nthreads 2\nt0: mallocc 3 -> a\n";
  const Program p = DecodeInput(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(p, DecodeProgram(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

TEST(ProgramForTargetTest, SeqRunsEveryThreadsOpsAsOneThreadInOrder) {
  const Program p = MustParse(kTwoThreads);
  const Program seq = ProgramForTarget(TargetKind::kSeq, p);
  ASSERT_EQ(seq.threads.size(), 1u);
  EXPECT_EQ(Validate(seq), "") << PrintProgram(seq);
  std::vector<Op> expected = p.threads[0];
  expected.insert(expected.end(), p.threads[1].begin(), p.threads[1].end());
  EXPECT_EQ(seq.threads[0], expected);
  EXPECT_EQ(ProgramForTarget(TargetKind::kConc, p), p);
  EXPECT_EQ(KindForProgram(seq), TargetKind::kSeq);
  EXPECT_EQ(KindForProgram(p), TargetKind::kConc);
}

TEST(ProgramForTargetTest, SeqFormOfRandomProgramsIsValid) {
  Prng rng(7);
  for (int i = 0; i < 500; i++) {
    std::vector<uint8_t> bytes(rng.Below(400));
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.Next());
    const Program seq = ProgramForTarget(TargetKind::kSeq, DecodeProgram(bytes.data(), bytes.size()));
    ASSERT_EQ(Validate(seq), "") << i;
    ASSERT_EQ(seq.threads.size(), 1u);
  }
}

TEST(TargetKindTest, NamesRoundTrip) {
  for (TargetKind k : {TargetKind::kSeq, TargetKind::kConc}) {
    EXPECT_EQ(ParseTargetKind(TargetShortName(k)), k);
    EXPECT_EQ(ParseTargetKind(TargetBinaryName(k)), k);
  }
  EXPECT_FALSE(ParseTargetKind("both"));
}

TEST(InterleavingCoverageTest, ThreadSwitchesBumpCountersTheSameWayEveryRun) {
  InstallInterleavingCoverage();
  const VariantPair pair = MustPair("pre,post");
  const Program p = MustParse(kTwoThreads);
  std::vector<size_t> set;
  for (int run = 0; run < 3; run++) {
    ClearInterleavingCounters();
    const Verdict v = CheckForTarget(TargetKind::kConc, p, pair, false);
    EXPECT_FALSE(v.finding) << v.message;
    set.push_back(InterleavingCountersSet());
  }
  EXPECT_GT(set[0], 4u) << "two threads interleaving must reach several (site, site) pairs";
  EXPECT_EQ(set[1], set[0]);
  EXPECT_EQ(set[2], set[0]);
  // Another schedule of the same ops reaches other pairs.
  Program q = p;
  q.schedule = zs_sched::Schedule::RoundRobin();
  ClearInterleavingCounters();
  CheckForTarget(TargetKind::kConc, q, pair, false);
  EXPECT_GT(InterleavingCountersSet(), 0u);
}

// The occupancy counters a seq run of `text` (one thread) sets.
std::vector<size_t> OccupancyOf(const std::string& text) {
  ClearOccupancyCounters();
  const Verdict v = CheckForTarget(TargetKind::kSeq, MustParse("threads 1\nt0: " + text + "\n"),
                                   MustPair("pre,post"), false);
  EXPECT_FALSE(v.finding) << v.message;
  return OccupancyCountersSet();
}

// Whether `b` sets a counter `a` does not.
bool SetsANewCounter(const std::vector<size_t>& a, const std::vector<size_t>& b) {
  for (size_t i : b)
    if (std::find(a.begin(), a.end(), i) == a.end()) return true;
  return false;
}

TEST(OccupancyFeedbackTest, FillingAClassFurtherIsNewCoverage) {
  // Class 0 (32 bytes) holds 128 objects a zspage. Each step deeper into it
  // (more objects, a second zspage, a zspage's worth free) sets a counter
  // the step before did not, though it runs no new code.
  const std::vector<size_t> one = OccupancyOf("malloc 32 -> a");
  const std::vector<size_t> many = OccupancyOf("malloc 32 x 100 -> a");
  const std::vector<size_t> two_zspages = OccupancyOf("malloc 32 x 192 -> a");
  const std::vector<size_t> compactable = OccupancyOf("malloc 32 x 192 -> a ; free a x 64");
  EXPECT_FALSE(one.empty());
  EXPECT_TRUE(SetsANewCounter(one, many));
  EXPECT_TRUE(SetsANewCounter(many, two_zspages));
  EXPECT_TRUE(SetsANewCounter(two_zspages, compactable));
  // The same run sets the same counters; a state the run passed through
  // counts too (one object on the way to 129: one op at a time).
  EXPECT_EQ(OccupancyOf("malloc 32 x 192 -> a ; free a x 64"), compactable);
  EXPECT_FALSE(SetsANewCounter(OccupancyOf("malloc 32 -> a ; malloc 32 x 128 -> b"), one));
}

TEST(CheckForTargetTest, SameProgramSameVerdictAndHash) {
  const VariantPair pair = MustPair("pre,post");
  const Program p = MustParse(kTwoThreads);
  const Verdict a = CheckForTarget(TargetKind::kConc, p, pair, false);
  const Verdict b = CheckForTarget(TargetKind::kConc, p, pair, false);
  EXPECT_FALSE(a.finding) << a.message;
  EXPECT_NE(a.trace_hash, 0u);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  const std::string text = FormatVerdict(a);
  EXPECT_NE(text.find("verdict: clean\n"), std::string::npos) << text;
  EXPECT_NE(text.find("trace-hash: 0x"), std::string::npos) << text;
}

TEST(FindingTextTest, AnnotationsFollowTheHeaderAndTheTextStillParses) {
  const Program p = MustParse(kTwoThreads);
  const std::string text = AnnotatedProgramText(p, {"signature: x:y", "two\nlines"});
  EXPECT_EQ(text.rfind("# zsfuzz program v1\n# signature: x:y\n# two lines\n", 0), 0u) << text;
  EXPECT_EQ(MustParse(text), p);
}

TEST(FindingTextTest, CrashSignatureDropsPathsAndNumbers) {
  EXPECT_EQ(CrashSignature("AddressSanitizer: heap-use-after-free /src/zsmalloc.cc:1234:5 in zs_free"),
            "crash:AddressSanitizer: heap-use-after-free in zs_free");
  EXPECT_EQ(CrashSignature("libFuzzer: out-of-memory (malloc(123456))"),
            "crash:libFuzzer: out-of-memory (malloc(N))");
  EXPECT_EQ(CrashSignature(""), "crash");
}

TEST(DropOpsTest, DroppingAMallocDropsEveryOpOnItsSlot) {
  const Program p = MustParse(kTwoThreads);
  // t0's first op, "malloc 100 -> a", is used by t0 and by t1's migrate.
  const Program q = DropOps(p, [](size_t t, size_t i) { return t == 0 && i == 0; });
  EXPECT_EQ(Validate(q), "") << PrintProgram(q);
  EXPECT_EQ(PrintProgram(q),
            "# zsfuzz program v1\n"
            "threads 2\n"
            "t0: malloc 100 -> a ; write a ; free a\n"
            "t1: malloc 100 -> b ; write b ; compact ; free b\n"
            "schedule random seed=3\n");
}

}  // namespace
}  // namespace zsfuzz::targets
