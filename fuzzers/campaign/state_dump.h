// File: state_dump.h
//
// `zsfuzz repro --dump`: what each variant of a pair shows a user of the pool
// at every stat_* op of a program and after the drain, side by side. Each
// variant runs the program once more through the executor (oracle/exec),
// apart from the oracle's check, with an observer that reads the state.
//
// At each point: the pool totals (zs_get_total_pages, pages_compacted,
// NR_ZSPAGES, pages in use, the shrinker's count) and the debugfs classes
// table. One thread: read at the quiescent point after the op. Several
// threads: no quiescent point mid-run, so a stat op shows what it read
// itself (stat_pages: total pages and NR_ZSPAGES; stat_pool:
// pages_compacted; stat_classes: the table); the drain shows everything.
//
// Lines both variants give are shown once ("  "); where they differ, a
// diff: "- " variant A's line, "+ " variant B's, under "--- A" / "+++ B".
//
// Example:
//   std::fputs(DumpStates(program, variants).c_str(), stdout);
#pragma once

#include <string>
#include <vector>

#include "fuzzers/targets/diff_target.h"
#include "oracle/program/program.h"

namespace zsfuzz {

// The lines of a diff of `a` against `b` (longest common subsequence): "  "
// lines in both, "- " only in a, "+ " only in b, in order.
std::vector<std::string> DiffLines(const std::vector<std::string>& a, const std::vector<std::string>& b);

// The dump of `program` on both variants of `variants` (text, many lines).
std::string DumpStates(const Program& program, const targets::VariantPair& variants);

}  // namespace zsfuzz
