// RunStress(): a stress program (stress_program.h) through the executor and
// the oracle, and its record turned into the stress summary's numbers.
#include "fuzzers/stress/stress.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fuzzers/stress/progress.h"
#include "fuzzers/stress/sanitizer_reports.h"
#include "fuzzers/stress/stress_program.h"
#include "kernel/shrinker.h"
#include "oracle/check.h"

namespace zsfuzz {
namespace {

void AddFinding(StressResult* r, const std::string& reason, const std::string& detail) {
  if (r->reason.empty()) r->reason = reason;
  absl::StrAppend(&r->details, detail, "\n");
}

// One op's contribution to the counts.
void Count(const Op& op, const OpResult& res, StressCounts* c, unsigned long* peak) {
  if (res.status == OpStatus::kNotRun || res.status == OpStatus::kNoSlot) return;
  switch (op.code) {
    case OpCode::kMalloc:
      if (res.err == 0) c->malloc_ok++;
      if (res.err == -ENOMEM) c->malloc_enomem++;
      if (res.err == -EINVAL) c->malloc_einval++;
      if (res.err == -ENOSPC) c->malloc_enospc++;
      return;
    case OpCode::kFree:
      c->frees++;
      return;
    case OpCode::kWrite:
      c->writes++;
      return;
    case OpCode::kRead:
      c->reads++;
      return;
    case OpCode::kReadSg:
      c->sg_reads++;
      return;
    case OpCode::kCompact:
      c->compactions++;
      c->pages_compacted += res.value;
      return;
    case OpCode::kShrinkCount:
      c->shrinker_counts++;
      return;
    case OpCode::kShrinkScan:
      c->shrinker_scans++;
      if (res.value != kernel::SHRINK_STOP) c->pages_compacted += res.value;
      return;
    case OpCode::kMigrate:
      if (res.status == OpStatus::kNoPage) {
        c->migrations_no_page++;
      } else if (res.err == 0) {
        c->migrations_ok++;
      } else {
        c->migrations_failed++;
      }
      return;
    case OpCode::kFlush:
      c->flushes++;
      return;
    case OpCode::kStatPages:
      *peak = std::max(*peak, res.value);
      c->stats_reads++;
      return;
    case OpCode::kStatPool:
    case OpCode::kStatClasses:
      c->stats_reads++;
      return;
    default:
      return;
  }
}

// Random ops that ran: a malloc and the write right after it are one.
uint64_t RandomOpsRun(const StressProgram& sp, const ExecResult& exec) {
  uint64_t n = 0;
  for (size_t t = 0; t < sp.program.threads.size(); t++) {
    const std::vector<Op>& ops = sp.program.threads[t];
    for (uint32_t i = sp.random_begin[t]; i < sp.random_end[t]; i++) {
      if (exec.ops[t][i].status == OpStatus::kNotRun) break;
      const bool write_after_malloc = ops[i].code == OpCode::kWrite && i > sp.random_begin[t] &&
                                      ops[i - 1].code == OpCode::kMalloc && ops[i - 1].slot == ops[i].slot;
      if (!write_after_malloc) n++;
    }
  }
  return n;
}

}  // namespace

StressResult RunStressOn(const StressOptions& opt, const zs_sched::Schedule* schedule, bool trace,
                         zs_sched::RunResult* run) {
  const StressProgram sp =
      MakeStressProgram(opt, schedule ? *schedule : zs_sched::Schedule::Random(opt.seed));
  uint64_t total_ops = 0;
  for (const std::vector<Op>& ops : sp.program.threads) total_ops += ops.size();

  std::atomic<uint64_t> ops_done{0};
  CheckOptions co;
  co.free_running = schedule == nullptr;
  co.record_trace = trace;
  co.ops_done = &ops_done;
  ProgressReporter progress(
      "stress", total_ops, [&ops_done] { return ops_done.load(std::memory_order_relaxed); },
      opt.progress && schedule == nullptr);
  const unsigned long sanitizer_base = SanitizerReportCount();
  const auto start = std::chrono::steady_clock::now();
  VariantCheck c = CheckVariant(sp.program, opt.variant, co);
  StressResult r;
  if (!c.verdict.error.empty()) {  // nothing ran (the command line refuses such a variant first)
    AddFinding(&r, "refused", c.verdict.error);
    return r;
  }
  r.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.Stop();

  for (size_t t = 0; t < sp.program.threads.size(); t++) {
    for (size_t i = 0; i < sp.program.threads[t].size(); i++)
      Count(sp.program.threads[t][i], c.exec.ops[t][i], &r.counts, &r.pages_peak);
  }
  r.ops_executed = RandomOpsRun(sp, c.exec);
  r.class_table = c.exec.drained.class_table.text();
  r.pages_end = c.exec.drained.total_pages;
  r.pages_peak = std::max(r.pages_peak, r.pages_end);

  if (c.verdict.finding) {
    // The verdict's first two lines: the failure, then the check and where.
    const std::string& m = c.verdict.message;
    const size_t first = m.find('\n');
    const size_t second = first == std::string::npos ? first : m.find('\n', first + 1);
    std::string detail = absl::StrCat(c.verdict.signature, ": ", m.substr(0, first));
    if (second != std::string::npos) absl::StrAppend(&detail, "\n", m.substr(first + 1, second - first - 1));
    AddFinding(&r, c.verdict.signature, detail);
    if (const size_t at = m.find("scheduler report:\n"); at != std::string::npos && run == nullptr)
      absl::StrAppend(&r.details, m.substr(at));
  }
  if (const unsigned long races = SanitizerReportCount() - sanitizer_base; races != 0)
    AddFinding(&r, "ThreadSanitizer report",
               absl::StrFormat("%u ThreadSanitizer report(s), on stderr", races));
  r.clean = r.reason.empty();
  if (run != nullptr) *run = std::move(c.exec.run);
  return r;
}

StressResult RunStress(const StressOptions& opt) { return RunStressOn(opt, nullptr, false, nullptr); }

}  // namespace zsfuzz
