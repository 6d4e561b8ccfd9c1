// File: minimize.h
//
// Shrinking a finding (`zsfuzz minimize`): delta debugging over the program's
// structure, keeping the verdict's signature. Passes, repeated until none
// helps: drop whole threads; drop ops (ddmin: halves, quarters, ... single
// ops; dropping a malloc drops the ops that name its slot; with several
// threads, a thread or single op whose drop loses the finding under the
// program's schedule is tried again under round robin and random walks with
// seeds 1..8, since every drop shifts the interleaving); simpler arguments
// (smaller sizes, values and pages, the default chain); fewer explicit
// schedule decisions. Every candidate runs in a forked child, so a candidate
// that crashes (a sanitizer report, a BUG) cannot end the minimization and no
// candidate sees the kernel state another left behind; a crash's signature is
// the sanitizer's SUMMARY line (targets::CrashSignature).
//
// Example:
//   Outcome o = RunIsolated(kind, program, variants);
//   if (o.finding) {
//     MinimizeResult m = MinimizeProgram(kind, program, variants, o.signature, {});
//     std::fputs(PrintProgram(m.program).c_str(), stdout);
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fuzzers/targets/diff_target.h"
#include "oracle/program/program.h"

namespace zsfuzz {

// What one isolated check of a program gave.
struct Outcome {
  bool finding = false;
  std::string signature;    // the verdict's, or CrashSignature of a crash
  uint64_t trace_hash = 0;  // 0 for a crash
  bool crashed = false;
};

// Runs the target's check of `p` in a forked child and reports its outcome.
Outcome RunIsolated(targets::TargetKind kind, const Program& p, const targets::VariantPair& variants);

struct MinimizeOptions {
  int max_checks = 4000;     // candidates tried at most
  double max_seconds = 300;  // and for at most this long
  // Called now and then with the checks done and the current best; may be null.
  std::function<void(int checks, const Program& best)> progress;
};

struct MinimizeResult {
  Program program;  // the smallest program found with the signature
  int checks = 0;   // candidates run
  bool budget_exhausted = false;
};

MinimizeResult MinimizeProgram(targets::TargetKind kind, const Program& p,
                               const targets::VariantPair& variants, const std::string& signature,
                               const MinimizeOptions& options);

// Sizes for the before/after report: threads, ops, explicit schedule decisions.
struct ProgramSize {
  size_t threads = 0;
  size_t ops = 0;
  size_t decisions = 0;
};
ProgramSize SizeOf(const Program& p);

// Removes the ops for which drop(thread, index) is true, and with them every
// op naming a slot whose malloc went; renumbers the slots. The result is valid.
Program DropOps(const Program& p, const std::function<bool(size_t thread, size_t index)>& drop);

}  // namespace zsfuzz
