// `zsfuzz coverage [DIR...]`: the table of the series' paths and how often
// each variant takes them over a corpus (coverage_paths.h).
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "fuzzers/tool/coverage_paths.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "oracle/program/program_file.h"

namespace zsfuzz {
namespace {

void Append(std::vector<BenchInput>* to, const std::vector<BenchInput>& from, const std::string& dir) {
  for (const BenchInput& in : from) to->push_back({dir + "/" + in.name, in.bytes});
}

absl::StatusOr<int> RunCoverageCommand() {
  absl::StatusOr<BenchCorpus> corpus =
      Flags().corpus.empty() ? BuiltInBenchCorpus() : ReadBenchCorpus(Flags().corpus);
  if (!corpus.ok()) return corpus.status();
  for (const std::string& dir : CommandArgs()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return absl::InvalidArgumentError(dir + ": not a folder");
    absl::StatusOr<BenchCorpus> more = ReadBenchCorpus(dir);
    if (!more.ok()) return more.status();
    Append(&corpus->seq, more->seq, dir);
    Append(&corpus->conc, more->conc, dir);
    corpus->source += " + " + more->source;
  }
  CoverageOptions opt;
  opt.corpus = *std::move(corpus);
  const CoverageTable table = RunCoverage(opt);
  std::fputs(FormatCoverage(table).c_str(), stdout);
  if (!Flags().html.empty()) {
    const std::string html = FormatCoverageHtml(table);
    absl::Status written = WriteFileBytes(Flags().html, std::vector<uint8_t>(html.begin(), html.end()));
    if (!written.ok()) return absl::InvalidArgumentError(absl::StrCat("--html: ", written.message()));
  }
  const bool clean = table.zero_cells == 0 && table.stray_cells == 0 && table.findings.empty();
  return clean ? kExitClean : kExitFinding;
}

}  // namespace

const Subcommand& CoverageCommand() {
  static const Subcommand cmd{
      "coverage",
      "Which of the series' paths (zs_free at RATIO_0, deferred free, lockless lookup, migration, ...) "
      "each variant reaches over the seeds.",
      "[--corpus DIR] [--html FILE] [DIR...]",
      "Runs the seq and the conc target, in this process, over the built-in seeds (or --corpus DIR,\n"
      "laid out as for 'bench targets'), plus the inputs of each folder DIR given (e.g.\n"
      "corpus/regressions), for every pair pre,V of the registered variants, and prints a table: a row\n"
      "per path of allocator/zsmalloc/zs_path.h, a column per variant, each cell the number of times\n"
      "that variant took the path ('n/a' where its code has no such path, '0 !' where it has it and the\n"
      "corpus never reached it). pre's column is from the first pair. --html FILE writes the same table\n"
      "as a page. Exit status 0 if every path a variant has was reached and no input gave a finding,\n"
      "1 otherwise.",
      kCmdCoverage,
      &RunCoverageCommand,
      0,
      16,
  };
  return cmd;
}

}  // namespace zsfuzz
