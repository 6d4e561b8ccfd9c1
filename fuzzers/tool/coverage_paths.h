// File: coverage_paths.h
//
// `zsfuzz coverage`: how often each variant takes each path the series
// changes (the probes of allocator/zsmalloc/zs_path.h). The seq and conc
// targets run their corpus for every pair pre,V (V = each registered
// variant after pre), as their LLVMFuzzerTestOneInput does, with the path
// counters of every variant reset before the pair and read after it: V's
// column is that pair's, pre's is the first pair's (pre runs in every pair as
// the reference, the same way each time).
//
// Example:
//   CoverageOptions opt;
//   opt.corpus = *BuiltInBenchCorpus();
//   const CoverageTable t = RunCoverage(opt);
//   std::fputs(FormatCoverage(t).c_str(), stdout);
//   return t.zero_cells == 0 && t.stray_cells == 0 && t.findings.empty() ? 0 : 1;
#pragma once

#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_path.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/tool/bench_targets.h"

namespace zsfuzz {

struct CoverageOptions {
  BenchCorpus corpus;
};

struct CoverageColumn {
  const zs_variant_ops* variant = nullptr;
  unsigned long hits[ZS_PATH_COUNT] = {};
  bool applies[ZS_PATH_COUNT] = {};
};

struct CoverageTable {
  std::string source;  // where the inputs came from
  size_t seq_inputs = 0, conc_inputs = 0;
  std::vector<CoverageColumn> columns;  // pre first, then the registry's order
  // Cells of a path the variant has, with no hit; and cells of a path the
  // variant does not have (zs_path_applies), with hits: a probe or a trait
  // that is wrong.
  int zero_cells = 0;
  int stray_cells = 0;
  // "pre,post seq every_op.txt: <verdict line>" for each input with a finding.
  std::vector<std::string> findings;
};

CoverageTable RunCoverage(const CoverageOptions& options);

// The table as text: a row per path (its name, then a cell per variant: the
// count, "n/a" where the variant has no such path, "0 !" for no hit on a path
// it has), then "coverage: P paths, Z with zero hits on a variant that has them".
std::string FormatCoverage(const CoverageTable& table);

// The same table as a standalone HTML page (no script).
std::string FormatCoverageHtml(const CoverageTable& table);

}  // namespace zsfuzz
