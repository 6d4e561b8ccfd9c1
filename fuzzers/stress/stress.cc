#include "fuzzers/stress/stress.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "fuzzers/stress/progress.h"
#include "fuzzers/stress/sanitizer_reports.h"
#include "fuzzers/stress/stress_worker.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/page_alloc.h"
#include "kernel/sched.h"
#include "kernel/seq_file.h"

namespace zsfuzz {
namespace {

// Restores the zone-lock pressure knob however the run ends.
class ZonePressureScope {
 public:
  explicit ZonePressureScope(unsigned steps) : saved_(kernel::zone_pressure()) {
    kernel::set_zone_pressure(steps);
  }
  ~ZonePressureScope() { kernel::set_zone_pressure(saved_); }

 private:
  const unsigned saved_;
};

void AddFinding(StressResult* r, absl::string_view reason, absl::string_view detail) {
  if (r->reason.empty()) r->reason = std::string(reason);
  absl::StrAppend(&r->details, detail, "\n");
}

// WARNs, lockdep and sanitizer reports since the last check; moves the
// baselines so the next check reports only new ones.
void CheckReports(StressShared* shared, StressResult* r) {
  const unsigned long warns = kernel::kernel_warn_count();
  const unsigned long lockdep = kernel::lockdep_report_count();
  const unsigned long races = SanitizerReportCount();
  if (warns != shared->warn_base) {
    const unsigned long n = warns - shared->warn_base;
    AddFinding(r, absl::StrFormat("%u WARN(s)", n),
               absl::StrFormat("%u kernel WARN(s), reports on stderr", n));
  }
  if (lockdep != shared->lockdep_base) {
    absl::string_view first = kernel::lockdep_first_report() ? kernel::lockdep_first_report() : "";
    first = first.substr(0, first.find('\n'));
    AddFinding(r, "lockdep report",
               absl::StrFormat("%u lockdep report(s), the first: %s", lockdep - shared->lockdep_base, first));
  }
  if (races != shared->sanitizer_base) {
    AddFinding(r, "ThreadSanitizer report",
               absl::StrFormat("%u ThreadSanitizer report(s), on stderr", races - shared->sanitizer_base));
  }
  shared->warn_base = warns;
  shared->lockdep_base = lockdep;
  shared->sanitizer_base = races;
}

// While alive, a BUG prints `findings` (if any) before its own report is
// acted on: a pool that just failed a check may well BUG in teardown, and the
// earlier finding is usually the better clue.
class PendingFindingsScope {
 public:
  explicit PendingFindingsScope(const std::string& findings) {
    if (findings.empty()) return;
    pending_ = new std::string(findings);
    kernel::set_bug_report_hook(&PrintPending);
  }
  ~PendingFindingsScope() {
    if (pending_ == nullptr) return;
    kernel::set_bug_report_hook(nullptr);
    delete pending_;
    pending_ = nullptr;
  }
  PendingFindingsScope(const PendingFindingsScope&) = delete;
  PendingFindingsScope& operator=(const PendingFindingsScope&) = delete;

 private:
  static void PrintPending(const char* /*report*/) {
    std::fprintf(stderr, "zsfuzz stress: findings before this BUG:\n%s", pending_->c_str());
  }
  static inline std::string* pending_ = nullptr;
};

}  // namespace

void StressCounts::Add(const StressCounts& o) {
  malloc_ok += o.malloc_ok;
  malloc_enomem += o.malloc_enomem;
  malloc_einval += o.malloc_einval;
  malloc_enospc += o.malloc_enospc;
  frees += o.frees;
  reads += o.reads;
  sg_reads += o.sg_reads;
  writes += o.writes;
  compactions += o.compactions;
  pages_compacted += o.pages_compacted;
  shrinker_counts += o.shrinker_counts;
  shrinker_scans += o.shrinker_scans;
  migrations_ok += o.migrations_ok;
  migrations_failed += o.migrations_failed;
  migrations_no_page += o.migrations_no_page;
  flushes += o.flushes;
  stats_reads += o.stats_reads;
}

StressResult RunStress(const StressOptions& opt) {
  StressResult r;
  const zs_variant_ops* v = opt.variant;
  StressShared shared;
  shared.opt = &opt;
  shared.v = v;
  shared.warn_base = kernel::kernel_warn_count();
  shared.lockdep_base = kernel::lockdep_report_count();
  shared.sanitizer_base = SanitizerReportCount();
  const unsigned long pages_base = kernel::nr_pages_in_use();
  const unsigned long zspages_base = kernel::zone_page_state(kernel::NR_ZSPAGES);
  ZonePressureScope pressure(opt.zone_pressure);

  zs_pool* pool = v->create_pool("zsfuzz-stress", opt.chain_size);
  if (pool == nullptr) {
    AddFinding(&r, "zs_create_pool failed",
               absl::StrFormat("create_pool(chain %u) of variant %s returned NULL", opt.chain_size, v->name));
    return r;
  }
  shared.pool = pool;
  shared.huge_class_size = v->huge_class_size(pool);

  std::vector<std::unique_ptr<StressWorker>> workers;
  workers.reserve(opt.threads);
  for (unsigned i = 0; i < opt.threads; i++) workers.push_back(std::make_unique<StressWorker>(&shared, i));
  auto ops_done = [&workers] {
    uint64_t done = 0;
    for (const auto& w : workers) done += w->ops_done();
    return done;
  };
  ProgressReporter progress("stress", uint64_t{opt.threads} * opt.ops_per_thread, ops_done, opt.progress);

  const auto start = std::chrono::steady_clock::now();
  std::vector<kernel::task_struct*> tasks;
  tasks.reserve(opt.threads);
  for (unsigned i = 0; i < opt.threads; i++) {
    const std::string name = absl::StrFormat("zsstress/%u", i);
    tasks.push_back(kernel::kthread_run(&StressWorker::ThreadMain, workers[i].get(), name.c_str()));
  }
  for (kernel::task_struct* task : tasks) kernel::kthread_stop(task);
  r.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.Stop();

  r.ops_executed = ops_done();
  kernel::seq_file table;
  v->classes_show(pool, &table);
  r.class_table = std::move(table.buf);
  r.pages_end = v->get_total_pages(pool);
  shared.NotePages(r.pages_end);
  r.pages_peak = shared.pages_peak.load();

  for (const auto& w : workers) {
    r.counts.Add(w->counts());
    if (w->failed()) AddFinding(&r, w->failure_reason(), w->failure());
  }
  CheckReports(&shared, &r);
  zs_pool_stats stats{};
  v->pool_stats(pool, &stats);
  if (static_cast<uint64_t>(stats.pages_compacted) != r.counts.pages_compacted) {
    AddFinding(&r, "pages_compacted mismatch",
               absl::StrFormat(
                   "pool_stats pages_compacted is %d, but zs_compact and the shrinker returned %u in all",
                   stats.pages_compacted, r.counts.pages_compacted));
  }
  if (r.reason.empty()) {
    for (const auto& w : workers) {
      if (!w->VerifyAll()) AddFinding(&r, w->failure_reason(), w->failure());
    }
  }

  // Teardown runs after a finding too, so a test process can go on; should
  // it BUG, the hook prints what was found first.
  PendingFindingsScope pending(r.details);
  for (const auto& w : workers) w->FreeAll();
  v->flush_deferred(pool);
  const unsigned long left = v->get_total_pages(pool);
  if (left != 0) {
    AddFinding(&r, absl::StrFormat("%u pages leaked", left),
               absl::StrFormat(
                   "zs_get_total_pages() is %u after freeing every object and flushing deferred work", left));
  }
  const unsigned long zspages = kernel::zone_page_state(kernel::NR_ZSPAGES);
  if (zspages != zspages_base) {
    AddFinding(&r, "NR_ZSPAGES leak",
               absl::StrFormat("NR_ZSPAGES is %u after freeing every object, was %u before the pool", zspages,
                               zspages_base));
  }
  v->destroy_pool(pool);
  const unsigned long pages = kernel::nr_pages_in_use();
  if (pages != pages_base) {
    AddFinding(&r, "page allocator leak",
               absl::StrFormat("%u pages in use after zs_destroy_pool, %u before zs_create_pool", pages,
                               pages_base));
  }
  CheckReports(&shared, &r);
  r.clean = r.reason.empty();
  return r;
}

}  // namespace zsfuzz
