// File: bench_targets.h
//
// `zsfuzz bench targets`: the throughput of the two differential targets,
// in-process, against a trivial target (targets/trivial_target.h) as the
// yardstick. Each target runs over its corpus, repeated, doing what its
// LLVMFuzzerTestOneInput does (decode, ProgramForTarget, CheckForTarget, with
// the interleaving coverage installed); the figures are executions, exec/s,
// exec/s as a fraction of the trivial target's, and the scheduler steps per
// execution, the program's and the oracle's (Verdict::program_steps,
// oracle_steps), which unlike exec/s do not depend on the machine.
//
// Example:
//   TargetBenchOptions opt;
//   opt.variants = pair;
//   opt.corpus = *BuiltInBenchCorpus();
//   std::fputs(TargetBenchHeader(opt).c_str(), stdout);
//   std::fputs(FormatTargetBench(RunTargetBench(opt)).c_str(), stdout);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fuzzers/targets/diff_target.h"

namespace zsfuzz {

struct BenchInput {
  std::string name;
  std::vector<uint8_t> bytes;
};

struct BenchCorpus {
  std::vector<BenchInput> seq, conc;
  // Where the inputs come from, for the output: "built-in seeds" or the folder.
  std::string source;
};

// zsfuzz's built-in seeds (campaign/seeds.h), in the binary form a
// campaign's children start from (each target's program, encoded).
absl::StatusOr<BenchCorpus> BuiltInBenchCorpus();

// The files of `dir`: its diff_seq/ and diff_conc/ for the seq and conc
// targets (the layout of corpus/), or, if it has neither, its own files for
// both. Bytes as they are (binary or text programs). An error (one line)
// for a folder that cannot be read or gives a target no input.
absl::StatusOr<BenchCorpus> ReadBenchCorpus(const std::string& dir);

struct TargetBenchOptions {
  targets::VariantPair variants;
  BenchCorpus corpus;
  // Each target runs whole passes over its inputs until `seconds` are up
  // (every input weighs the same), or exactly `runs` executions if not 0.
  double seconds = 3;
  uint64_t runs = 0;
};

struct TargetBenchRow {
  std::string target;  // "trivial", "seq", "conc", "conc-l4" (conc without level 5)
  size_t inputs = 0;
  uint64_t execs = 0;
  double seconds = 0;
  bool has_steps = false;  // the trivial target runs no scheduler
  uint64_t program_steps = 0;
  uint64_t oracle_steps = 0;
  uint64_t replays = 0;  // level 5's (Verdict::replays)
  uint64_t findings = 0;
};

// The header line: the build, the load average now (bench_env.h), the
// variants, the budget and the inputs. Printed before the runs, so the load
// is the machine's without the bench's own.
std::string TargetBenchHeader(const TargetBenchOptions& options);

// The trivial target over both targets' inputs, then seq, then conc, then
// conc without level 5 (the cost of level 5, side by side).
std::vector<TargetBenchRow> RunTargetBench(const TargetBenchOptions& options);

// The table, then what the trivial target and the columns are.
std::string FormatTargetBench(const std::vector<TargetBenchRow>& rows);

}  // namespace zsfuzz
