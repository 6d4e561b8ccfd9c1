// File: stress.h
//
// The stress engine behind `zsfuzz stress`: N threads run long seeded random
// op programs (stress_program.h) against one pool of one variant, through the
// same program executor (oracle/exec) and the same oracle (oracle/check.h,
// CheckVariant) as the fuzz targets: every API result and every byte read
// against the reference model, the pool's invariants after the drain and
// after freeing everything, kernel reports (BUG, WARN, lockdep), the
// in-flight stats bounds (deterministic backend), and no page left after
// teardown. Free-running (RunStress): the threads are real kthreads and the
// machine interleaves them while migration and compaction move their objects;
// deterministic (stress_deterministic.h): the same program under the
// deterministic scheduler.
//
// Example:
//   zsfuzz::StressOptions opt;
//   opt.variant = zs_find_variant("post");
//   opt.threads = 2;
//   opt.ops_per_thread = 20000;
//   zsfuzz::StressResult r = zsfuzz::RunStress(opt);
//   std::fputs(zsfuzz::FormatStressSummary(opt, r).c_str(), stdout);
//   return r.clean ? 0 : 1;
//
// NOTE: a BUG on real threads aborts the process with its report, as before;
// under the deterministic scheduler it is a finding like any other.
#pragma once

#include <cstdint>
#include <string>

#include "allocator/kernel/sched/runner.h"
#include "allocator/kernel/sched/schedule.h"
#include "allocator/zsmalloc/zs_variant.h"

namespace zsfuzz {

struct StressOptions {
  const zs_variant_ops* variant = nullptr;
  unsigned threads = 2;         // program threads, >= 1 (any number: not bound by kMaxThreads)
  uint64_t ops_per_thread = 0;  // random ops each thread runs
  uint64_t seed = 1;            // thread i draws from Prng::StreamSeed(seed, i)
  unsigned chain_size = 8;      // CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16
  unsigned zone_pressure = 0;   // each thread starts with `pressure P`
  bool migrate = true;          // page migration ops
  bool compact = true;          // zs_compact and shrinker scan ops
  bool progress = false;        // "ops done / total" on stderr about once a second
};

// Op counts over every thread, from the run's record (final read-back included).
struct StressCounts {
  uint64_t malloc_ok = 0;
  uint64_t malloc_enomem = 0;
  uint64_t malloc_einval = 0;  // size 0, as expected
  uint64_t malloc_enospc = 0;  // size > ZS_MAX_ALLOC_SIZE, as expected
  uint64_t frees = 0;
  uint64_t reads = 0;     // obj_read_begin/end
  uint64_t sg_reads = 0;  // obj_read_sg_begin/end
  uint64_t writes = 0;
  uint64_t compactions = 0;
  uint64_t pages_compacted = 0;  // sum of zs_compact() and shrinker scan results
  uint64_t shrinker_counts = 0;
  uint64_t shrinker_scans = 0;
  uint64_t migrations_ok = 0;
  uint64_t migrations_failed = 0;   // isolation refused or migrate_page error
  uint64_t migrations_no_page = 0;  // the chosen page index was past the zspage
  uint64_t flushes = 0;
  uint64_t stats_reads = 0;
};

struct StressResult {
  bool clean = false;
  // Short reason for the result line: the oracle's signature
  // ("model:object.content", "invariant:zspage.fullness") or
  // "ThreadSanitizer report".
  std::string reason;
  // Every finding, one per line, saying what and where: the oracle's
  // "check:field: <failure>" and its "check: ..., thread, op" line.
  std::string details;
  uint64_t ops_executed = 0;  // random ops run (a malloc and its write are one)
  double elapsed_seconds = 0;
  StressCounts counts;
  std::string class_table;  // debugfs classes, after the threads and the drain, before teardown
  unsigned long pages_peak = 0;
  unsigned long pages_end = 0;  // zs_get_total_pages() when class_table was taken
};

// Runs the stress described by `opt` (variant non-null, other fields in
// range; the command line checks them) on real threads. Blocks until the
// threads, the drain and teardown are done.
StressResult RunStress(const StressOptions& opt);

// The engine of RunStress and RunStressDeterministic: with `schedule` null,
// real threads; else the deterministic scheduler with that schedule (`trace`
// records every step into *run).
StressResult RunStressOn(const StressOptions& opt, const zs_sched::Schedule* schedule, bool trace,
                         zs_sched::RunResult* run);

// The human summary: a header naming the run, counts, throughput, the class
// table, page counts and, last, "result: clean" or "result: FAILED (<reason>)".
std::string FormatStressSummary(const StressOptions& opt, const StressResult& r);

}  // namespace zsfuzz
