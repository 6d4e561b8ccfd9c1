// File: corpus.h
//
// `zsfuzz corpus merge|minimize`: corpus folders cut down to the inputs that
// add coverage, by libFuzzer's crash-resistant merge (-merge=1) over one
// differential target. The coverage is libFuzzer's features of that target:
// code edges, the interleaving counters and the occupancy feedback
// (fuzzers/targets/README.md), so a merged corpus keeps the schedules and the
// deep states, not only the code.
//
// libFuzzer runs its merge in subprocesses that it starts from its own
// command line (argv[0] and the flags, plus -merge_inner=1). zsfuzz is that
// program: started with kLibFuzzerChildEnv naming a target, its main hands
// the whole command line to LLVMFuzzerRunDriver (RunLibFuzzerChild), and the
// environment carries the target and ZSFUZZ_VARIANTS to the inner runs.
//
// Example:
//   CorpusMergeOptions opt;
//   opt.kind = targets::TargetKind::kSeq;
//   opt.variants = *ParseVariantPair("pre,post", &error);
//   opt.out_dir = "merged";
//   opt.in_dirs = {"corpus/diff_seq", "findings/corpus"};
//   absl::StatusOr<CorpusMergeResult> r = MergeCorpus(opt);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fuzzers/targets/diff_target.h"

namespace zsfuzz {

// The environment variable that makes zsfuzz a libFuzzer process of a
// target ("seq" or "conc"); the variants come from ZSFUZZ_VARIANTS.
inline constexpr char kLibFuzzerChildEnv[] = "ZSFUZZ_LIBFUZZER_CHILD";
// Where such a process writes the programs of its findings.
inline constexpr char kLibFuzzerFindingsEnv[] = "ZSFUZZ_LIBFUZZER_FINDINGS";

struct CorpusMergeOptions {
  targets::TargetKind kind = targets::TargetKind::kSeq;
  targets::VariantPair variants;
  std::string out_dir;               // made if missing; its inputs count as present
  std::vector<std::string> in_dirs;  // each a folder of inputs (text or binary programs)
};

struct CorpusMergeResult {
  uint64_t before = 0;   // files in out_dir before
  uint64_t after = 0;    // and after
  uint64_t inputs = 0;   // files in the in_dirs
  uint64_t stopped = 0;  // inputs that ended the target (a finding or a crash): left out
  // libFuzzer's output when stopped > 0 (else removed), in a /tmp folder
  // that also holds the programs of the findings.
  std::string log;
};

// The target a folder is for, from its name: a path with "diff_conc" in it
// is the conc target's, with "diff_seq" the seq target's (corpus/'s layout);
// an error when the folders disagree or none says.
absl::StatusOr<targets::TargetKind> TargetKindFromFolders(const std::vector<std::string>& dirs);

// Adds to out_dir the inputs of in_dirs that add coverage (libFuzzer
// -merge=1, in a child process); never changes in_dirs. An error when a
// folder is missing or the engine fails.
absl::StatusOr<CorpusMergeResult> MergeCorpus(const CorpusMergeOptions& options);

// `zsfuzz` started with kLibFuzzerChildEnv: the target `kind` under
// LLVMFuzzerRunDriver with this process's argc/argv; does not return.
[[noreturn]] void RunLibFuzzerChild(targets::TargetKind kind, int argc, char** argv);

}  // namespace zsfuzz
