// `zsfuzz bench <bench>`: throughput figures, one bench per word. `targets`
// (bench_targets.h) measures the two differential targets against a trivial
// one. A new bench is one row of Benches() and its file.
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
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

struct Bench {
  const char* name;
  absl::StatusOr<int> (*run)();
};

const std::vector<Bench>& Benches() {
  static const std::vector<Bench> benches = {
      {"targets", &RunTargetsBench},
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
      "Throughput figures: 'bench targets' runs both fuzz targets and a trivial one over the seeds.",
      "targets [--seconds S | --runs N] [--variants A,B] [--corpus DIR]",
      "bench targets: runs the trivial target (it decodes the input as an op program and returns), then\n"
      "the seq and the conc target, in this process, each over its corpus (the built-in seeds, or\n"
      "--corpus DIR) repeated for --seconds (whole passes) or --runs executions, as their\n"
      "LLVMFuzzerTestOneInput does. One header line gives the build and the load average, then a row per\n"
      "target: inputs, executions, exec/s, exec/s as a fraction of the trivial target's, and the\n"
      "deterministic scheduler's steps per execution, the program's and the oracle's (both variants'\n"
      "runs summed; steps do not depend on the machine). Exit status 1 if a check found something (the\n"
      "figures are then not those of clean runs).",
      kCmdBench,
      &RunBenchCommand,
      0,
      1,
  };
  return cmd;
}

}  // namespace zsfuzz
