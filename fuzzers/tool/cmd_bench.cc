// `zsfuzz bench <bench>`: figures, one bench per word. `targets`
// (bench_targets.h) measures the two differential targets against a trivial
// one; `contention` (bench_contention.h) times concurrent zs_free per variant
// on real threads and in virtual time. A new bench is one row of Benches()
// and its file.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "fuzzers/tool/bench_contention.h"
#include "fuzzers/tool/bench_targets.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

namespace zsfuzz {
namespace {

constexpr double kMaxSeconds = 3600;

absl::StatusOr<int> RunTargetsBench() {
  TargetBenchOptions opt;
  AcceptSeededMutants();
  std::string error;
  std::optional<targets::VariantPair> pair = targets::ParseVariantPair(Flags().variants, &error);
  if (!pair) return absl::InvalidArgumentError("--variants: " + error);
  opt.variants = *pair;
  opt.seconds = Flags().seconds;
  // The negated test also refuses nan.
  if (!(opt.seconds > 0 && opt.seconds <= kMaxSeconds)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--seconds %g is out of range; use a number above 0 and at most %g", opt.seconds, kMaxSeconds));
  }
  opt.runs = Flags().runs;
  absl::StatusOr<BenchCorpus> corpus =
      Flags().corpus.empty() ? BuiltInBenchCorpus() : ReadBenchCorpus(Flags().corpus);
  if (!corpus.ok()) return corpus.status();
  opt.corpus = *std::move(corpus);
  std::fputs(TargetBenchHeader(opt).c_str(), stdout);
  std::fflush(stdout);
  const std::vector<TargetBenchRow> rows = RunTargetBench(opt);
  std::fputs(FormatTargetBench(rows).c_str(), stdout);
  for (const TargetBenchRow& r : rows)
    if (r.findings != 0) return kExitFinding;
  return kExitClean;
}

absl::StatusOr<int> RunContention() {
  const FlagValues& f = Flags();
  ContentionOptions opt = f.quick ? QuickContentionOptions() : DefaultContentionOptions();
  opt.variants.clear();
  for (absl::string_view name : absl::StrSplit(f.bench_variants, ',')) {
    const zs_variant_ops* v = zs_find_variant(std::string(name).c_str());
    if (v == nullptr)
      return absl::InvalidArgumentError(
          absl::StrFormat("--bench-variants: '%s' is no variant (see 'zsfuzz list')", name));
    opt.variants.push_back(v);
  }
  absl::StatusOr<std::vector<PressureLevel>> levels = ParsePressureLevels(f.zone_pressure);
  if (!levels.ok()) return levels.status();
  opt.pressures = *std::move(levels);
  for (const absl::Status& s :
       {CheckFlagRange("threads", f.threads, 1, 64), CheckFlagRange("objects", f.objects, 0, 1000000),
        CheckFlagRange("reps", f.reps, 0, 100)}) {
    if (!s.ok()) return s;
  }
  if (!f.cpus.empty()) {
    opt.virtual_cpus.clear();
    for (absl::string_view word : absl::StrSplit(f.cpus, ',')) {
      uint32_t n = 0;
      if (!absl::SimpleAtoi(word, &n) || n < 1 || n > 64)
        return absl::InvalidArgumentError(
            absl::StrFormat("--cpus: '%s' is no CPU count; use numbers 1..64, comma-separated", word));
      opt.virtual_cpus.push_back(n);
    }
  }
  opt.max_threads = f.threads;
  if (f.objects != 0) opt.objects = f.objects;
  if (f.reps != 0) opt.reps = f.reps;
  const std::string dir = f.out.empty() ? "zsfuzz-bench" : f.out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrFormat("--out: cannot make %s: %s", dir, ec.message()));

  const ContentionReport report = RunContentionBench(opt);
  const std::string table = FormatContentionReport(opt, report);
  std::fputs(table.c_str(), stdout);
  std::ofstream(dir + "/contention.txt") << table;
  if (!report.error.empty()) return kExitFinding;
  std::ofstream(dir + "/contention.svg") << ContentionPlotSvg(opt, report);
  std::printf("\ntable: %s/contention.txt; plot: %s/contention.svg\n", dir.c_str(), dir.c_str());
  return kExitClean;
}

struct Bench {
  const char* name;
  absl::StatusOr<int> (*run)();
};

const std::vector<Bench>& Benches() {
  static const std::vector<Bench> benches = {
      {"targets", &RunTargetsBench},
      {"contention", &RunContention},
  };
  return benches;
}

std::string BenchNames() {
  std::string names;
  for (const Bench& b : Benches()) names += (names.empty() ? "" : ", ") + std::string(b.name);
  return names;
}

absl::StatusOr<int> RunBenchCommand() {
  if (CommandArgs().empty()) {
    return absl::InvalidArgumentError("'bench' needs the bench to run; benches: " + BenchNames() +
                                      " (see 'zsfuzz bench --help')");
  }
  const std::string& name = CommandArgs()[0];
  for (const Bench& b : Benches())
    if (name == b.name) return b.run();
  return absl::InvalidArgumentError("unknown bench '" + name + "'; benches: " + BenchNames() +
                                    " (see 'zsfuzz bench --help')");
}

}  // namespace

const Subcommand& BenchCommand() {
  static const Subcommand cmd{
      "bench",
      "Figures: 'bench targets' runs both fuzz targets and a trivial one over the seeds; 'bench contention' "
      "times concurrent zs_free per variant.",
      "targets [--seconds S | --runs N] [--variants A,B] [--corpus DIR]\n"
      "       zsfuzz bench contention [--quick] [--threads N] [--objects N] [--reps R] [--zone-pressure "
      "L,...] "
      "[--cpus C,...] [--bench-variants V,...] [--out DIR]",
      "bench targets: runs the trivial target (it decodes the input as an op program and returns), then\n"
      "the seq and the conc target, in this process, each over its corpus (the built-in seeds, or\n"
      "--corpus DIR) repeated for --seconds (whole passes) or --runs executions, as their\n"
      "LLVMFuzzerTestOneInput does. One header line gives the build and the load average, then a row per\n"
      "target: inputs, executions, exec/s, exec/s as a fraction of the trivial target's, and the\n"
      "deterministic scheduler's steps per execution, the program's and the oracle's (both variants'\n"
      "runs summed; steps do not depend on the machine). Exit status 1 if a check found something (the\n"
      "figures are then not those of clean runs).\n"
      "\n"
      "bench contention: objects of zram's sizes (LZ4 over a page mix) are allocated and written, then\n"
      "every thread frees its share at once; the free phase is timed. On real threads 1..--threads, each\n"
      "variant and zone-lock pressure level --reps times, the variants alternating: medians, spread,\n"
      "speedup over the first variant, and lock_stat counters of class->lock, pool->lock and zone->lock.\n"
      "Then in virtual time (one virtual CPU a thread, a cost per step calibrated on each variant's real\n"
      "1-thread run): the model against the real threads, and the makespan on 1..16 virtual CPUs. The\n"
      "table goes to stdout and DIR/contention.txt, the plot of speedup against threads to\n"
      "DIR/contention.svg. Exit status 1 if a run went wrong (an allocation failed, pages were left).",
      kCmdBench,
      &RunBenchCommand,
      0,
      1,
  };
  return cmd;
}

}  // namespace zsfuzz
