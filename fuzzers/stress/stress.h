// File: stress.h
//
// The free-running stress engine behind `zsfuzz stress`: N kernel threads
// (kernel::kthread_run) hammer one pool of one variant with a seeded random
// mix of every API call, each verifying the bytes of the objects it owns,
// while page migration and compaction move those objects underneath. At the
// end the engine verifies and frees everything and checks that the pool, the
// zone counters and the page allocator are back where they started.
//
// It is a library function so tests (and later the deterministic scheduler,
// which runs the same kthreads as virtual tasks) can call it directly.
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
// NOTE: the pool is torn down after a finding too. If that teardown BUGs (the
// pool may be corrupt), the findings so far are printed before the BUG report.
#pragma once

#include <cstdint>
#include <string>

#include "allocator/zsmalloc/zs_variant.h"

namespace zsfuzz {

struct StressOptions {
  const zs_variant_ops* variant = nullptr;
  unsigned threads = 2;         // worker threads, >= 1
  uint64_t ops_per_thread = 0;  // random ops each worker runs
  uint64_t seed = 1;            // worker i draws from Prng::StreamSeed(seed, i)
  unsigned chain_size = 8;      // CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16
  unsigned zone_pressure = 0;   // kernel::set_zone_pressure() for the run
  bool migrate = true;          // page migration ops
  bool compact = true;          // zs_compact and shrinker scan ops
  bool progress = false;        // "ops done / total" on stderr about once a second
};

// Op counts, summed over workers (and the final verification pass).
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
  uint64_t pages_compacted = 0;  // sum of zs_compact() results
  uint64_t shrinker_counts = 0;
  uint64_t shrinker_scans = 0;
  uint64_t migrations_ok = 0;
  uint64_t migrations_failed = 0;   // isolation refused or migrate_page error
  uint64_t migrations_no_page = 0;  // the chosen page index was past the zspage
  uint64_t flushes = 0;
  uint64_t stats_reads = 0;

  void Add(const StressCounts& o);
};

struct StressResult {
  bool clean = false;
  // Short reason for the result line ("content mismatch", "3 pages leaked").
  std::string reason;
  // Every finding, one per line, saying what and where.
  std::string details;
  uint64_t ops_executed = 0;  // worker ops, without setup and teardown
  double elapsed_seconds = 0;
  StressCounts counts;
  std::string class_table;  // debugfs classes, after the workers, before teardown
  unsigned long pages_peak = 0;
  unsigned long pages_end = 0;  // zs_get_total_pages() when class_table was taken
};

// Runs the stress described by `opt` (variant non-null, other fields in
// range; the command line checks them). Blocks until all workers finish.
StressResult RunStress(const StressOptions& opt);

// The human summary: a header naming the run, counts, throughput, the class
// table, page counts and, last, "result: clean" or "result: FAILED (<reason>)".
std::string FormatStressSummary(const StressOptions& opt, const StressResult& r);

}  // namespace zsfuzz
