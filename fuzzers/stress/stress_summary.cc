// FormatStressSummary(): the text `zsfuzz stress` prints at the end.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fuzzers/stress/stress.h"
#include "kernel/types.h"

namespace zsfuzz {

std::string FormatStressSummary(const StressOptions& opt, const StressResult& r) {
  const StressCounts& c = r.counts;
  std::string out = absl::StrFormat(
      "zsfuzz stress: variant %s, %u threads x %u ops, seed %u, chain %u, zone pressure %u, migration %s, "
      "compaction %s\n",
      opt.variant->name, opt.threads, opt.ops_per_thread, opt.seed, opt.chain_size, opt.zone_pressure,
      opt.migrate ? "on" : "off", opt.compact ? "on" : "off");
  const double rate = r.elapsed_seconds > 0 ? static_cast<double>(r.ops_executed) / r.elapsed_seconds : 0;
  absl::StrAppendFormat(&out, "ops: %u in %.2f s, %.0f ops/s\n", r.ops_executed, r.elapsed_seconds, rate);
  absl::StrAppendFormat(&out, "malloc: ok %u, enomem %u, einval %u (size 0), enospc %u (size > %u)\n",
                        c.malloc_ok, c.malloc_enomem, c.malloc_einval, c.malloc_enospc, kernel::PAGE_SIZE);
  absl::StrAppendFormat(&out, "free: %u  write: %u  read: %u  read_sg: %u\n", c.frees, c.writes, c.reads,
                        c.sg_reads);
  absl::StrAppendFormat(
      &out, "compact: %u calls, %u pages compacted (incl. shrinker)  shrinker: %u counts, %u scans\n",
      c.compactions, c.pages_compacted, c.shrinker_counts, c.shrinker_scans);
  absl::StrAppendFormat(&out, "migrate: ok %u, failed %u, no such page %u\n", c.migrations_ok,
                        c.migrations_failed, c.migrations_no_page);
  absl::StrAppendFormat(&out, "flush_deferred: %u  stats reads: %u\n", c.flushes, c.stats_reads);
  if (!r.class_table.empty()) {
    absl::StrAppend(&out, "classes (debugfs, after the threads and the drain, before teardown):\n",
                    r.class_table);
    if (r.class_table.back() != '\n') out += '\n';
  }
  absl::StrAppendFormat(&out, "pages: peak %u, at end of workload %u\n", r.pages_peak, r.pages_end);
  for (size_t pos = 0; pos < r.details.size();) {
    const size_t nl = r.details.find('\n', pos);
    const size_t end = nl == std::string::npos ? r.details.size() : nl;
    absl::StrAppend(&out, "finding: ", r.details.substr(pos, end - pos), "\n");
    pos = end + 1;
  }
  if (!r.clean) {
    // Same per-thread op sequences; the interleaving is the machine's, so a
    // race may need several runs (or the deterministic scheduler) to return.
    absl::StrAppendFormat(
        &out, "rerun: zsfuzz stress --variant %s --threads %u --ops %u --seed %u --chain %u%s%s%s\n",
        opt.variant->name, opt.threads, opt.ops_per_thread, opt.seed, opt.chain_size,
        opt.zone_pressure ? absl::StrFormat(" --pressure %u", opt.zone_pressure) : "",
        opt.migrate ? "" : " --no-migrate", opt.compact ? "" : " --no-compact");
  }
  if (r.clean) {
    out += "result: clean\n";
  } else {
    absl::StrAppend(&out, "result: FAILED (", r.reason, ")\n");
  }
  return out;
}

}  // namespace zsfuzz
