// File: campaign.h
//
// The differential campaign behind `zsfuzz run`: each fuzz target runs in
// child processes of its own (`zsfuzz fuzz-child`, which hands the target to
// libFuzzer's LLVMFuzzerRunDriver), side by side, for the time given. With
// several jobs a target has several workers, one child each at a time, that
// share its working corpus (libFuzzer's -reload picks up what the others
// found) and its findings, deduplicated by signature.
// libFuzzer can run once per process and a finding or a sanitizer report ends
// the process, so the parent restarts a child that stopped early on the same
// working corpus, until the time is up: one target's crash never ends the
// campaign. The parent reads each child's stderr (kept in a log), takes the
// figures from libFuzzer's status lines and the child's "zsfuzz-stats:"
// lines, and collects findings: the oracle's (the child writes the program's
// text) and crashes (the engine's crash file, turned into text too).
//
// Example:
//   CampaignOptions opt;
//   opt.variants = *ParseVariantPair("pre,post", &error);
//   opt.seconds = 60;
//   CampaignResult r = RunCampaign(opt);
//   std::fputs(FormatCampaignSummary(opt, r).c_str(), stdout);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/targets/diff_target.h"

namespace zsfuzz {

struct CampaignOptions {
  targets::VariantPair variants;
  std::vector<targets::TargetKind> targets = {targets::TargetKind::kSeq, targets::TargetKind::kConc};
  uint32_t seconds = 60;
  std::string out_dir = "zsfuzz-findings";  // made when the first finding is
  bool progress = true;                     // a status line on stderr every few seconds
  // Executions per target (libFuzzer's -runs, shared by its restarted
  // children), 0 for no limit: with a seed, a target's campaign is then the
  // same every time (libFuzzer -seed, -reload=0), whatever the machine's speed.
  uint64_t runs = 0;
  uint32_t seed = 0;  // libFuzzer's -seed for the first child, +1 per restart; 0: its own
  // A target stops at its first new finding instead of restarting on it.
  bool stop_at_first_finding = false;
  // Worker processes in all, spread over the targets in turn, at least one
  // per target. A target with one worker and a seed is deterministic; more
  // workers share a corpus and are not.
  uint32_t jobs = 1;
  // What the progress lines and the summary start with.
  std::string command = "zsfuzz run";
};

// The workers of each target for `jobs` in all: jobs / targets each, the
// remainder to the first targets, never fewer than one.
std::vector<uint32_t> WorkersPerTarget(uint32_t jobs, size_t targets);

struct CampaignFinding {
  targets::TargetKind target = targets::TargetKind::kSeq;
  std::string signature;  // the verdict's, or the sanitizer's SUMMARY line for a crash
  std::string file;       // the program's text, in out_dir
  std::string log;        // the child's log up to the finding, in out_dir
  std::string repro;      // the command that replays it
  // The target's executions up to and including the finding's (all its
  // children; exact for the oracle's findings, libFuzzer's count for crashes).
  uint64_t execs = 0;
  double seconds = 0;  // since the campaign started
};

struct TargetStats {
  targets::TargetKind target = targets::TargetKind::kSeq;
  uint64_t execs = 0;
  uint32_t workers = 1;   // processes fuzzing it side by side
  double seconds = 0;     // wall time its workers ran (the longest)
  uint64_t coverage = 0;  // libFuzzer's "cov:": code and interleaving counters hit
  uint64_t features = 0;  // libFuzzer's "ft:"
  uint64_t corpus = 0;    // inputs in its working corpus
  int findings = 0;       // distinct signatures
  int repeats = 0;        // findings of a signature seen before
  int restarts = 0;       // children started after each worker's first
  std::string error;      // set if the engine could not run at all
};

struct CampaignResult {
  std::vector<TargetStats> targets;
  std::vector<CampaignFinding> findings;
  double seconds = 0;
  bool interrupted = false;  // SIGINT/SIGTERM ended it early
};

// Runs the campaign; blocks for about options.seconds. Needs the path of the
// zsfuzz binary (/proc/self/exe) to start the children.
CampaignResult RunCampaign(const CampaignOptions& options);

// The summary: one row per target (execs, exec/s, coverage, corpus,
// findings), then each finding with its file and repro command, then
// "result: clean" or "result: N finding(s)".
std::string FormatCampaignSummary(const CampaignOptions& options, const CampaignResult& result);

// `zsfuzz fuzz-child TARGET WORKDIR`: one target under LLVMFuzzerRunDriver
// with FuzzChildArgs (fuzz_child_args.h); does not return.
[[noreturn]] void RunFuzzChild(targets::TargetKind kind, const targets::VariantPair& variants,
                               const std::string& workdir, uint32_t seconds, uint64_t runs, uint32_t seed);

}  // namespace zsfuzz
