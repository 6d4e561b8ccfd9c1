// File: targets/diff_target.h
//
// The two differential fuzz targets, as functions: what their libFuzzer /
// AFL++ entry points (diff_fuzzer_main.cc, compiled once per target) call, and
// what zsfuzz calls for `run` (in-process through LLVMFuzzerRunDriver),
// `repro` and `minimize`, so all of them check an input the same way.
//
//   seq   decode -> one thread (every thread's ops in thread order) ->
//         CheckSequential: full-state equality of the two variants after every op
//   conc  decode -> the program's threads under its schedule -> CheckProgram
//         (CheckConcurrent for two or more threads, CheckSequential for one)
//
// An input is an op program in the binary form (program/binary.h: every byte
// string is one) or in the text form (it starts with "# zsfuzz program" and
// parses), so the text seeds in corpus/ are inputs as they are.
//
// The two variants compared: `-variants=A,B` among the target's arguments,
// else the environment variable ZSFUZZ_VARIANTS=A,B, else pre,post.
//
// Example (a target's entry points):
//   extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
//     zsfuzz::targets::InitStandaloneTarget(zsfuzz::targets::TargetKind::kSeq, *argc, *argv);
//     return 0;
//   }
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     return zsfuzz::targets::TestOneInput(data, size);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"
#include "oracle/check.h"
#include "oracle/program/program.h"

namespace zsfuzz::targets {

enum class TargetKind { kSeq, kConc };

// "seq" / "conc", and the binary names "zs_diff_seq_fuzzer" / "zs_diff_conc_fuzzer".
const char* TargetShortName(TargetKind kind);
const char* TargetBinaryName(TargetKind kind);
std::optional<TargetKind> ParseTargetKind(std::string_view name);

struct VariantPair {
  const zs_variant_ops* a = nullptr;
  const zs_variant_ops* b = nullptr;
  // "pre,post".
  std::string ToString() const;
};

// "A,B": two distinct variants, registered or known to the extra lookup,
// each declaring its traits (TraitsFor, oracle/check.h). On error returns
// nullopt and sets *error to one line naming the problem (and, for a name
// that is no variant, the valid ones).
std::optional<VariantPair> ParseVariantPair(std::string_view text, std::string* error);

// Variants outside the registry that ParseVariantPair accepts too: zsfuzz
// adds the seeded mutants (tests/mutants) so `--variants post,mut-pages-leak`
// works. `names` lists them for error messages ("mut-a, mut-b").
using VariantLookup = const zs_variant_ops* (*)(std::string_view name);
void SetExtraVariantLookup(VariantLookup lookup, std::string names);

// The program an input stands for: the text form if the input starts with
// the text header and parses, else the binary form. Never fails.
Program DecodeInput(const uint8_t* data, size_t size);

// The program the target checks: for kSeq every thread's ops run as one
// thread (thread 0's, then thread 1's, ...); kConc takes it as it is.
Program ProgramForTarget(TargetKind kind, Program p);

// The kind whose check `p` gets from `zsfuzz repro` when no --target is
// given: one thread is kSeq, more is kConc.
TargetKind KindForProgram(const Program& p);

// The target's check of `p` (already ProgramForTarget'ed). Deterministic:
// the same program and pair give the same verdict and trace hash.
// `linearization` false leaves out level 5 (CheckOptions::linearization).
Verdict CheckForTarget(TargetKind kind, const Program& p, const VariantPair& variants, bool record_trace,
                       bool linearization = true);

// "verdict: ...\nsignature: ...\ntrace-hash: 0x...\n" (the trace not included).
std::string FormatVerdict(const Verdict& v);

// PrintProgram(p) with `comments` (lines without the '#') right after its
// header line, which must stay first for the file to read as text.
std::string AnnotatedProgramText(const Program& p, const std::vector<std::string>& comments);

// A crash's signature from a sanitizer's or libFuzzer's "SUMMARY: " line
// (given without that prefix): "crash:" and the words, file paths left out
// and digit runs written N, so the same bug reads the same every time.
std::string CrashSignature(std::string_view summary);

// ---- The target state behind the entry points ------------------------------

// What TestOneInput does with a finding.
enum class FindingAction {
  // Standalone target: print the verdict and the program, then abort() so
  // the engine saves the input as a crash.
  kAbort,
  // zsfuzz run's child: write the program's text to `findings_dir`, print
  // one "zsfuzz-finding: new" line on stderr, and _exit(kFindingExitCode): a
  // finding may leave the simulated kernel in any state, so the campaign
  // restarts the process. A signature in `known_signatures` writes nothing;
  // if the kernel holds no page afterwards the input is rejected (-1) and
  // fuzzing goes on, else the process exits the same way.
  kExit,
};
inline constexpr int kFindingExitCode = 79;

struct TargetConfig {
  TargetKind kind = TargetKind::kSeq;
  VariantPair variants;
  FindingAction action = FindingAction::kAbort;
  std::string findings_dir;                   // kExit
  std::vector<std::string> known_signatures;  // kExit
  // kExit: a "zsfuzz-stats: execs=N" line on stderr about once a second.
  bool report_stats = false;
  // Level 5 of the oracle (a standalone target's -linearization=0 turns it off).
  bool linearization = true;
};

// Sets the state the entry points below use and installs the interleaving
// coverage. Call once, before the first input.
void ConfigureTarget(const TargetConfig& config);

// LLVMFuzzerInitialize of a standalone target: the variants from argv or
// the environment (an unknown one: one line on stderr and exit(2)), kAbort;
// -linearization=0 in argv leaves out the oracle's level 5 (for measuring
// what it costs).
void InitStandaloneTarget(TargetKind kind, int argc, char** argv);

// LLVMFuzzerTestOneInput: decode, check, act on a finding; returns 0, or -1
// for an input with a known finding (kept out of libFuzzer's corpus).
int TestOneInput(const uint8_t* data, size_t size);

// LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver: the structure-aware
// program mutator (program/mutator.h). A text input is encoded first; the
// seq target's outputs keep one thread.
size_t CustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed);
size_t CustomCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2, uint8_t* out,
                       size_t max_out_size, unsigned int seed);

// Inputs TestOneInput has run in this process.
uint64_t ExecutedInputs();

}  // namespace zsfuzz::targets
