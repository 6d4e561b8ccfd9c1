#include "fuzzers/tool/bench_targets.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fuzzers/campaign/seeds.h"
#include "fuzzers/targets/interleaving_coverage.h"
#include "fuzzers/targets/trivial_target.h"
#include "fuzzers/tool/bench_env.h"
#include "oracle/program/binary.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

namespace fs = std::filesystem;
using targets::TargetKind;

// The regular files of `dir`, sorted by name (the same order on every run).
absl::StatusOr<std::vector<BenchInput>> ReadFolder(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> paths;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) paths.push_back(e.path());
  if (ec)
    return absl::InvalidArgumentError(absl::StrFormat("cannot read %s: %s", dir.string(), ec.message()));
  std::sort(paths.begin(), paths.end());
  std::vector<BenchInput> inputs;
  for (const fs::path& p : paths) {
    absl::StatusOr<std::string> bytes = ReadFileBytes(p.string());
    if (!bytes.ok()) return bytes.status();
    inputs.push_back({p.filename().string(), std::vector<uint8_t>(bytes->begin(), bytes->end())});
  }
  if (inputs.empty()) return absl::InvalidArgumentError(absl::StrFormat("%s holds no file", dir.string()));
  return inputs;
}

// Runs `one` over `inputs` as the options say, counting into a row.
template <typename OneInput>
TargetBenchRow Measure(const char* target, const std::vector<BenchInput>& inputs,
                       const TargetBenchOptions& options, OneInput one) {
  using Clock = std::chrono::steady_clock;
  TargetBenchRow row;
  row.target = target;
  row.inputs = inputs.size();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  for (uint64_t i = 0; !inputs.empty(); i++) {
    // The clock is read between passes only: every input weighs the same,
    // and the trivial target's figure is not the clock's.
    const bool done =
        options.runs != 0 ? i == options.runs : i % inputs.size() == 0 && i > 0 && Clock::now() >= deadline;
    if (done) break;
    one(inputs[i % inputs.size()], &row);
    row.execs++;
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return row;
}

TargetBenchRow MeasureTarget(TargetKind kind, const std::vector<BenchInput>& inputs,
                             const TargetBenchOptions& options, bool linearization = true) {
  const char* name = linearization ? targets::TargetShortName(kind) : "conc-l4";
  return Measure(name, inputs, options, [&](const BenchInput& in, TargetBenchRow* row) {
    // What TestOneInput does, keeping the verdict for its steps; a finding
    // is counted here, not acted on.
    const Program p = targets::ProgramForTarget(kind, targets::DecodeInput(in.bytes.data(), in.bytes.size()));
    const Verdict v =
        targets::CheckForTarget(kind, p, options.variants, /*record_trace=*/false, linearization);
    row->has_steps = true;
    row->program_steps += v.program_steps;
    row->oracle_steps += v.oracle_steps;
    row->replays += static_cast<uint64_t>(v.replays);
    row->findings += v.finding ? 1 : 0;
  });
}

double PerSecond(const TargetBenchRow& r) { return r.seconds > 0 ? r.execs / r.seconds : 0; }

// exec/s as a fraction of the trivial target's: "1/2750" (it is the slower by
// that factor), or "1.00" and up.
std::string Ratio(double execs_per_s, double trivial_per_s) {
  if (execs_per_s <= 0 || trivial_per_s <= 0) return "-";
  const double r = execs_per_s / trivial_per_s;
  return r >= 1 ? absl::StrFormat("%.2f", r) : absl::StrFormat("1/%.0f", 1 / r);
}

std::string PerExec(uint64_t total, const TargetBenchRow& r) {
  if (!r.has_steps || r.execs == 0) return "-";
  return absl::StrFormat("%.1f", static_cast<double>(total) / r.execs);
}

}  // namespace

absl::StatusOr<BenchCorpus> BuiltInBenchCorpus() {
  BenchCorpus corpus;
  corpus.source = "the built-in seeds (binary form)";
  for (const EmbeddedSeed& seed : EmbeddedSeeds()) {
    const TargetKind kind = seed.dir == "diff_seq" ? TargetKind::kSeq : TargetKind::kConc;
    absl::StatusOr<Program> p = ParseProgram(seed.bytes);
    if (!p.ok()) {
      return absl::InternalError(absl::StrFormat("built-in seed %s/%s does not parse: %s", seed.dir,
                                                 seed.name, p.status().message()));
    }
    const std::vector<uint8_t> bytes = EncodeProgram(targets::ProgramForTarget(kind, *std::move(p)));
    (kind == TargetKind::kSeq ? corpus.seq : corpus.conc).push_back({std::string(seed.name), bytes});
  }
  if (corpus.seq.empty() || corpus.conc.empty()) return absl::InternalError("zsfuzz was built without seeds");
  return corpus;
}

absl::StatusOr<BenchCorpus> ReadBenchCorpus(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return absl::InvalidArgumentError(absl::StrFormat("--corpus %s: not a folder", dir));
  BenchCorpus corpus;
  const fs::path seq = fs::path(dir) / "diff_seq", conc = fs::path(dir) / "diff_conc";
  if (fs::is_directory(seq, ec) || fs::is_directory(conc, ec)) {
    corpus.source = absl::StrFormat("%s/diff_seq and %s/diff_conc", dir, dir);
    absl::StatusOr<std::vector<BenchInput>> s = ReadFolder(seq), c = ReadFolder(conc);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("--corpus: ", s.status().message()));
    if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat("--corpus: ", c.status().message()));
    corpus.seq = *std::move(s);
    corpus.conc = *std::move(c);
    return corpus;
  }
  corpus.source = absl::StrFormat("%s (the same files for both targets)", dir);
  absl::StatusOr<std::vector<BenchInput>> all = ReadFolder(dir);
  if (!all.ok()) return absl::InvalidArgumentError(absl::StrCat("--corpus: ", all.status().message()));
  corpus.seq = corpus.conc = *std::move(all);
  return corpus;
}

std::string TargetBenchHeader(const TargetBenchOptions& options) {
  const std::string budget = options.runs != 0 ? absl::StrFormat("%u executions per target", options.runs)
                                               : absl::StrFormat("%g s per target", options.seconds);
  return absl::StrFormat("zsfuzz bench targets: %s; %s; variants %s; %s; inputs: %s\n", BuildDescription(),
                         LoadAverageDescription(), options.variants.ToString(), budget,
                         options.corpus.source);
}

std::vector<TargetBenchRow> RunTargetBench(const TargetBenchOptions& options) {
  // The engine binaries count interleavings at every step; so does the bench.
  targets::InstallInterleavingCoverage();
  std::vector<BenchInput> both = options.corpus.seq;
  both.insert(both.end(), options.corpus.conc.begin(), options.corpus.conc.end());
  std::vector<TargetBenchRow> rows;
  rows.push_back(Measure("trivial", both, options, [](const BenchInput& in, TargetBenchRow*) {
    targets::TrivialTestOneInput(in.bytes.data(), in.bytes.size());
  }));
  rows.push_back(MeasureTarget(TargetKind::kSeq, options.corpus.seq, options));
  rows.push_back(MeasureTarget(TargetKind::kConc, options.corpus.conc, options));
  rows.push_back(MeasureTarget(TargetKind::kConc, options.corpus.conc, options, /*linearization=*/false));
  return rows;
}

std::string FormatTargetBench(const std::vector<TargetBenchRow>& rows) {
  const double trivial = rows.empty() ? 0 : PerSecond(rows.front());
  std::string out =
      absl::StrFormat("%-8s %6s %10s %12s %10s %18s %17s %13s %8s\n", "target", "inputs", "execs", "exec/s",
                      "vs trivial", "program steps/exec", "oracle steps/exec", "replays/exec", "findings");
  uint64_t findings = 0;
  for (const TargetBenchRow& r : rows) {
    absl::StrAppendFormat(&out, "%-8s %6u %10u %12.1f %10s %18s %17s %13s %8s\n", r.target, r.inputs, r.execs,
                          PerSecond(r), Ratio(PerSecond(r), trivial), PerExec(r.program_steps, r),
                          PerExec(r.oracle_steps, r), PerExec(r.replays, r),
                          r.has_steps ? absl::StrCat(r.findings) : "-");
    findings += r.findings;
  }
  absl::StrAppendFormat(&out, "trivial: %s; it runs the seq and the conc inputs\n",
                        targets::kTrivialTargetDescription);
  out +=
      "exec/s: in this process, one thread, no fuzz engine; vs trivial: exec/s as a fraction of the trivial "
      "target's\n"
      "steps/exec: deterministic scheduler steps per execution, both variants' runs summed: the program's "
      "own (level 5's replays included), and the oracle's reads (zs_sched::OracleSection)\n"
      "conc-l4: conc without level 5 (CheckOptions::linearization off), on the same inputs; replays/exec: "
      "the executions whose class->lock order level 5 replayed (variant b's, on a)\n";
  if (findings != 0) {
    absl::StrAppendFormat(&out,
                          "note: %u execution(s) ended in a finding (a check cut short, or a rerun for its "
                          "trace); the figures are not those of clean runs\n",
                          findings);
  }
  return out;
}

}  // namespace zsfuzz
