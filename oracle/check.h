// File: check.h
//
// The oracle's public API: run one op program on two zsmalloc variants and say
// whether they behave as they must (DESIGN.md "The oracle", levels 1-4).
//
//   level 1  reference model: every API result and every byte read matches a
//            model of the program (malloc 0 -> -EINVAL, > PAGE_SIZE -> -ENOSPC,
//            -ENOMEM only while an injected failure is pending, reads return
//            the last write, ...)
//   level 2  invariants at quiescent points, from a read-only walk of every
//            zspage: lists vs fullness, inuse vs free list vs allocated
//            headers, class stats vs a recount, pages_allocated / NR_ZSPAGES /
//            pages in use vs the pages the zspages hold, nothing left after
//            teardown
//   level 3  sequential differential (one thread): after every op both
//            variants' observables are identical (API result classes, class
//            table, class stats, zs_get_total_pages, pool stats, NR_ZSPAGES,
//            pages in use, live objects and their contents)
//   level 4  concurrent differential (several threads): after the drain the
//            order-independent observables match, and stats read mid-run stay
//            inside the bounds each variant's code allows (reference 6)
//   level 5  linearization replay (several threads, two variants, when
//            levels 1-4 found nothing): variant b's order of class->lock
//            sections, run as one thread on variant a, gives b's malloc and
//            compaction results, class stats and page counts
//            (linearization.h); skipped for a run no sequence of whole ops
//            can reproduce
//
// Kernel reports count as findings too: a BUG (turned into a verdict, not an
// abort), a deadlock, the step budget, a WARN, a lockdep report. Sanitizer
// reports are not verdicts: they abort the process.
//
// Example:
//   zsfuzz::CheckOptions opt;
//   zsfuzz::Verdict v = zsfuzz::CheckProgram(program, zs_find_variant("pre"),
//                                            zs_find_variant("post"), opt);
//   if (v.finding) { std::fputs(v.message.c_str(), stdout); return 1; }
//
// NOTE: one check at a time per process (it drives the process-wide simulated
// kernel and its one deterministic scheduler). A run that BUGs or deadlocks
// abandons its pool; every run starts from a reset kernel (kernel_reset(),
// executor.h), so later checks in the same process see the PFNs, verdict and
// trace hash they would see first in a fresh process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "oracle/exec/executor.h"
#include "oracle/program/program.h"

namespace zsfuzz {

// What a variant's code lets a stats reader see while other threads run
// (zsmalloc-reference.md section 6). Used by the level 4 in-flight bounds;
// TraitsFor() derives it from the traits the variant declares.
struct VariantTraits {
  // zs_free() returns an empty zspage's pages to the buddy allocator after
  // dropping class->lock (patch 3 of the series): zs_get_total_pages() and
  // NR_ZSPAGES may exceed the page count derived from the class stats by
  // pages_per_zspage per zs_free() in flight. Without it the excess is bounded
  // by the classes whose lock is held.
  bool frees_pages_outside_class_lock = true;
};

// The bounds of variant `v`, from the traits its table declares
// (v->traits, zs_add_variant(... TRAITS ...)); its name plays no part. A
// variant whose table does not declare its traits (declared == false), or a
// null one, is refused: FailedPrecondition with one line naming it.
absl::StatusOr<VariantTraits> TraitsFor(const zs_variant_ops* v);

struct CheckOptions {
  // Verdict::trace holds every step of the run the verdict is about (else
  // only the scheduler's tail, when the run failed).
  bool record_trace = false;
  // Scheduler steps per run before it ends as a livelock; 0 picks a budget
  // far above what the program's ops can take.
  uint64_t max_steps = 0;
  // Overrides TraitsFor() for variant a / b (e.g. for a test mutant); a
  // variant with an override is judged even if it declares no traits.
  const VariantTraits* traits_a = nullptr;
  const VariantTraits* traits_b = nullptr;
  // CheckVariant only: run on real threads (ExecOptions::free_running), and
  // count finished ops into `ops_done` for a progress line.
  bool free_running = false;
  std::atomic<uint64_t>* ops_done = nullptr;
  // Level 5 (CheckConcurrent with two variants on the deterministic
  // backend): b's run records its class->lock order and a replays it.
  bool linearization = true;
  // Called with each variant's run as soon as it ran, before it is judged:
  // the fuzz targets' occupancy feedback reads its snapshots.
  std::function<void(const ExecResult&)> on_run;
};

struct Verdict {
  // Not empty: the check did not run, and this one line says why (a variant
  // whose traits TraitsFor() refuses). `finding` is then false and the other
  // fields are empty.
  std::string error;
  bool finding = false;
  // The check that failed: "kernel", "model", "invariant", "sequential-diff",
  // "concurrent-diff" or "inflight"; empty when clean.
  std::string check;
  // check + ":" + field, with no number that depends on the program
  // ("sequential-diff:class.obj_allocated"): the same bug keeps the same
  // signature while `zsfuzz minimize` shrinks the program.
  std::string signature;
  // First line: the failed check's field and values, e.g.
  //   class 17 obj_allocated: pre=60 post=64
  // then where (thread, op), the program, and the tail of the trace.
  std::string message;
  // The trace hash of the run the verdict is about (variant b's run when both
  // ran cleanly): the same program gives the same hash on every run.
  uint64_t trace_hash = 0;
  // That run's steps, one per line (every step with record_trace, else the
  // tail of a failed run; may be empty).
  std::string trace;
  // The variant whose run `trace_hash` and `trace` come from.
  std::string variant;
  // Scheduler steps of the check's runs, both variants' summed (a rerun for
  // a finding's trace excerpt left out): the program's own, and the oracle's
  // (zs_sched::OracleSection, RunResult::oracle_steps). Steps are the unit
  // of the check's work that does not depend on the machine, for
  // `zsfuzz bench targets`.
  uint64_t program_steps = 0;
  uint64_t oracle_steps = 0;
  // Level 5: 1 if variant b's order was replayed on a, else 0 and why not
  // (linearization.h; empty when level 5 was off or the check ended first).
  int replays = 0;
  std::string not_replayed;
};

// One thread: both variants run the program op by op from a clean kernel,
// with a full snapshot after every op; levels 1, 2, 3 and the in-flight
// bounds (which one thread turns into equalities). `b` may be null: then only
// `a` is checked. A program of several threads runs as one, their ops
// concatenated in thread order.
Verdict CheckSequential(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                        const CheckOptions& options);

// Several threads under the deterministic scheduler with the program's
// schedule; levels 1, 2 (after the drain), 4 and 5. `b` may be null.
Verdict CheckConcurrent(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                        const CheckOptions& options);

// CheckSequential for a one-thread program, else CheckConcurrent.
Verdict CheckProgram(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                     const CheckOptions& options);

// A long program on one variant, as `zsfuzz stress` runs it: the checks of
// CheckConcurrent for any number of threads (one included, without per-op
// snapshots): kernel reports, level 1, level 2 after the drain and after
// emptying, the in-flight bounds (deterministic backend only: on real threads
// a stat_pages probe is not one instant) and teardown. The verdict's message
// holds the failure and where it happened, not the program or a trace (a
// stress program has hundreds of thousands of ops). Any thread count the
// executor takes (more than kMaxThreads too).
// A variant whose traits TraitsFor() refuses runs nothing: verdict.error says why.
struct VariantCheck {
  Verdict verdict;
  ExecResult exec;  // the run's record, for counts and tables
};
VariantCheck CheckVariant(const Program& program, const zs_variant_ops* v, const CheckOptions& options);

}  // namespace zsfuzz
