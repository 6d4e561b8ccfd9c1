// The libFuzzer command line of one fuzz child of `zsfuzz run` (campaign.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/targets/diff_target.h"

namespace zsfuzz {

// A target's folder in a campaign's working directory: its corpus, findings
// and artifacts.
std::string TargetWorkDir(const std::string& workdir, targets::TargetKind kind);

// The command line (argv[0] first) of one child on WORKDIR/<target>/corpus
// for `seconds`. runs and seed: libFuzzer's -runs and -seed when not 0 (then
// -reload=0 too); with runs 0, a time budget, the schedule favours fast
// inputs (-entropic_scale_per_exec_time=1, which reads the clock, so an
// execution budget leaves it off).
std::vector<std::string> FuzzChildArgs(targets::TargetKind kind, const std::string& workdir, uint32_t seconds,
                                       uint64_t runs, uint32_t seed);

}  // namespace zsfuzz
