// `zsfuzz mutants`: the detection matrix of the seeded mutants
// (allocator/variants/mutants), found by fuzzing rather than by their pinned
// witnesses. For each mutant, K campaigns of both targets (campaign.h)
// against the variant it breaks, from the built-in seed corpus (which holds
// no witness), each target stopping at its first finding or at its budget;
// a row per mutant with the odds (k of K), the executions and seconds to the
// first finding, the check that caught it and the size of its minimized
// reproducer; with --baseline, beside it what free-running real-thread
// stress finds in the same wall time (stress_baseline.h).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "allocator/variants/mutants/mutants.h"
#include "fuzzers/campaign/campaign.h"
#include "fuzzers/campaign/minimize.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/stress_baseline.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

using targets::TargetKind;

// A campaign's wall-time cap when the budget is in executions: far above
// what the execution budgets take, so only a hung engine meets it.
constexpr uint32_t kExecBudgetCapSeconds = 3600;

// What one campaign (one mutant, one seed) found first.
struct CampaignOutcome {
  bool detected = false;
  TargetKind target = TargetKind::kSeq;
  uint64_t execs = 0;  // the finding target's executions to the finding
  double seconds = 0;
  std::string signature;
  int repro_ops = -1;       // the minimized reproducer's ops (-1: not minimized)
  std::string repro_file;   // where it is
  double wall_seconds = 0;  // the whole campaign, both targets to their stop
  std::string error;        // a target could not run
  StressBaseline baseline;  // --baseline: stress in the same wall time
};

struct MutantRow {
  const SeededMutant* mutant = nullptr;
  std::vector<CampaignOutcome> campaigns;
};

absl::StatusOr<std::vector<const SeededMutant*>> SelectMutants(const std::string& only) {
  std::vector<const SeededMutant*> out;
  if (only.empty()) {
    for (const SeededMutant& m : SeededMutants()) out.push_back(&m);
    return out;
  }
  for (absl::string_view name : absl::StrSplit(only, ',', absl::SkipEmpty())) {
    const SeededMutant* m = FindSeededMutant(std::string_view(name.data(), name.size()));
    if (m == nullptr) {
      std::vector<std::string> names;
      for (const SeededMutant& s : SeededMutants()) names.emplace_back(s.name);
      return absl::InvalidArgumentError(
          absl::StrFormat("--only: '%s' is no seeded mutant (%s)", name, absl::StrJoin(names, ", ")));
    }
    out.push_back(m);
  }
  return out;
}

int OpCount(const Program& p) {
  size_t n = 0;
  for (const auto& ops : p.threads) n += ops.size();
  return static_cast<int>(n);
}

// Minimizes the finding with its signature and writes the program to
// `out` (text, annotated like `zsfuzz minimize` writes it); its ops, or -1
// if the finding's file does not read back or `out` cannot be written.
int MinimizeFinding(const CampaignFinding& f, const targets::VariantPair& variants, const std::string& out) {
  absl::StatusOr<Program> p = ReadProgramFile(f.file);
  if (!p.ok()) return -1;
  MinimizeOptions opt;
  opt.max_checks = 400;
  opt.max_seconds = 30;
  const Program min = MinimizeProgram(f.target, *p, variants, f.signature, opt).program;
  const std::string text = targets::AnnotatedProgramText(
      min, {"minimized from " + f.file, "signature: " + f.signature, "variants: " + variants.ToString(),
            absl::StrFormat("target: %s", targets::TargetShortName(f.target))});
  if (!WriteFileBytes(out, std::vector<uint8_t>(text.begin(), text.end())).ok()) return -1;
  return OpCount(min);
}

CampaignOutcome RunMutantCampaign(const SeededMutant& m, uint32_t seed, const std::string& out_dir) {
  CampaignOptions opt;
  opt.variants = {zs_find_variant(m.base), m.ops};
  opt.progress = false;
  opt.stop_at_first_finding = true;
  opt.seed = seed;
  if (Flags().budget_seconds != 0) {
    opt.seconds = Flags().budget_seconds;
  } else {
    opt.seconds = kExecBudgetCapSeconds;
    opt.runs = Flags().budget_execs;
  }
  opt.out_dir = absl::StrFormat("%s/%s-seed%u", out_dir, m.name, seed);
  const CampaignResult r = RunCampaign(opt);
  CampaignOutcome o;
  o.wall_seconds = r.seconds;
  for (const TargetStats& st : r.targets)
    if (!st.error.empty()) o.error = absl::StrFormat("%s: %s", targets::TargetShortName(st.target), st.error);
  // Each target stops at its first finding: the earlier of the two, in
  // its own target's executions (which do not depend on the machine), seq
  // first on a tie.
  const CampaignFinding* first = nullptr;
  for (const CampaignFinding& f : r.findings) {
    if (first == nullptr || f.execs < first->execs ||
        (f.execs == first->execs && f.target == TargetKind::kSeq))
      first = &f;
  }
  if (first == nullptr) return o;
  o.detected = true;
  o.target = first->target;
  o.execs = first->execs;
  o.seconds = first->seconds;
  o.signature = first->signature;
  o.repro_file = opt.out_dir + ".min.txt";
  o.repro_ops = MinimizeFinding(*first, opt.variants, o.repro_file);
  return o;
}

// The lower median: of two campaigns, the faster.
template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? T{} : v[(v.size() - 1) / 2];
}

// The baseline's columns: stress detected k/K, median seconds, how many of
// its findings replayed, and its median time over the campaigns'.
std::string BaselineColumns(const MutantRow& row, double campaign_seconds) {
  std::vector<double> seconds;
  int replays = 0;
  for (const CampaignOutcome& o : row.campaigns) {
    if (!o.baseline.detected) continue;
    seconds.push_back(o.baseline.seconds);
    replays += o.baseline.replays ? 1 : 0;
  }
  const std::string detected = absl::StrFormat("%u/%u", seconds.size(), row.campaigns.size());
  if (seconds.empty()) return absl::StrFormat(" %8s %9s %8s %8s", detected, "-", "-", "-");
  const std::string ratio =
      campaign_seconds > 0 ? absl::StrFormat("%.1f", Median(seconds) / campaign_seconds) : std::string("-");
  return absl::StrFormat(" %8s %9.1f %8s %8s", detected, Median(seconds),
                         absl::StrFormat("%d/%u", replays, seconds.size()), ratio);
}

std::string FormatRow(const MutantRow& row, bool baseline) {
  std::vector<uint64_t> execs;
  std::vector<double> seconds;
  std::vector<int> ops;
  std::string check = "-";
  for (const CampaignOutcome& o : row.campaigns) {
    if (!o.detected) continue;
    execs.push_back(o.execs);
    seconds.push_back(o.seconds);
    if (o.repro_ops >= 0) ops.push_back(o.repro_ops);
    if (check == "-") check = absl::StrFormat("%s %s", targets::TargetShortName(o.target), o.signature);
  }
  const std::string detected = absl::StrFormat("%u/%u", execs.size(), row.campaigns.size());
  const double median_s = seconds.empty() ? 0 : Median(seconds);
  const std::string extra = baseline ? BaselineColumns(row, median_s) : "";
  if (execs.empty())
    return absl::StrFormat("%-24s %-5s %8s %12s %9s %9s%s  %s\n", row.mutant->name, row.mutant->base,
                           detected, "-", "-", "-", extra, "survived");
  return absl::StrFormat("%-24s %-5s %8s %12u %9.1f %9s%s  %s\n", row.mutant->name, row.mutant->base,
                         detected, Median(execs), median_s, ops.empty() ? "-" : std::to_string(Median(ops)),
                         extra, check);
}

absl::StatusOr<int> RunMutants() {
  const FlagValues& f = Flags();
  if (absl::Status s = CheckFlagRange("seeds", f.seeds, 1, 100); !s.ok()) return s;
  if (f.budget_seconds != 0) {
    if (absl::Status s = CheckFlagRange("budget-seconds", f.budget_seconds, 1, 86400); !s.ok()) return s;
  } else if (absl::Status s = CheckFlagRange("budget-execs", f.budget_execs, 1, 100000000); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<const SeededMutant*>> mutants = SelectMutants(f.only);
  if (!mutants.ok()) return mutants.status();
  // The children take the mutants by name (--variants post,mut-...).
  AcceptSeededMutants();
  char tmpl[] = "/tmp/zsfuzz-mutants-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("cannot make a folder in /tmp for the findings");
  const std::string out_dir = tmpl;
  const std::string budget = f.budget_seconds != 0
                                 ? absl::StrFormat("%u s per campaign", f.budget_seconds)
                                 : absl::StrFormat("%u execs per target per campaign", f.budget_execs);
  std::fputs(absl::StrFormat("zsfuzz mutants: %u mutant(s), %u campaign(s) each (libFuzzer seeds 1..%u), %s; "
                             "findings in %s\n",
                             mutants->size(), f.seeds, f.seeds, budget, out_dir)
                 .c_str(),
             stdout);
  const std::string baseline_header =
      f.baseline ? absl::StrFormat(" %8s %9s %8s %8s", "stress", "stress s", "replays", "s ratio") : "";
  std::fputs(
      absl::StrFormat("%-24s %-5s %8s %12s %9s %9s%s  %s\n", "mutant", "base", "detected", "median execs",
                      "median s", "repro ops", baseline_header, "caught first by (target, check)")
          .c_str(),
      stdout);
  std::fflush(stdout);
  int detected = 0, survived = 0;
  bool errors = false;
  for (const SeededMutant* m : *mutants) {
    MutantRow row;
    row.mutant = m;
    for (uint32_t seed = 1; seed <= f.seeds; seed++) {
      CampaignOutcome o = RunMutantCampaign(*m, seed, out_dir);
      if (!o.error.empty()) {
        std::fprintf(stderr, "zsfuzz mutants: %s seed %u: error: %s\n", m->name, seed, o.error.c_str());
        errors = true;
      } else if (o.detected) {
        std::fprintf(stderr, "zsfuzz mutants: %s seed %u: %s after %llu execs (%.1f s): %s; minimized: %s\n",
                     m->name, seed, targets::TargetShortName(o.target),
                     static_cast<unsigned long long>(o.execs), o.seconds, o.signature.c_str(),
                     o.repro_file.c_str());
      } else {
        std::fprintf(stderr, "zsfuzz mutants: %s seed %u: not found\n", m->name, seed);
      }
      if (f.baseline) {
        // The same wall time the campaign took (both use two cores), at least a second.
        const double budget = std::max(1.0, o.wall_seconds);
        o.baseline = RunStressBaseline(*m, budget, 1000ULL * seed);
        const StressBaseline& b = o.baseline;
        if (!b.error.empty()) {
          std::fprintf(stderr, "zsfuzz mutants: %s seed %u: stress: error: %s\n", m->name, seed,
                       b.error.c_str());
          errors = true;
        } else if (b.detected) {
          std::fprintf(
              stderr, "zsfuzz mutants: %s seed %u: stress found it in %.1f s (run %d, --seed %llu; %s): %s\n",
              m->name, seed, b.seconds, b.runs, static_cast<unsigned long long>(b.seed),
              b.replays ? "replays" : "does not replay", b.signature.c_str());
        } else {
          std::fprintf(stderr, "zsfuzz mutants: %s seed %u: stress: not found in %.1f s (%d runs)\n", m->name,
                       seed, budget, b.runs);
        }
      }
      row.campaigns.push_back(std::move(o));
    }
    const bool any = std::any_of(row.campaigns.begin(), row.campaigns.end(),
                                 [](const CampaignOutcome& o) { return o.detected; });
    (any ? detected : survived)++;
    std::fputs(FormatRow(row, f.baseline).c_str(), stdout);
    std::fflush(stdout);
  }
  std::printf("mutants: %d detected, %d survived\n", detected, survived);
  if (errors) return absl::InternalError("a campaign could not run (the errors above)");
  return survived == 0 ? kExitClean : kExitFinding;
}

}  // namespace

const Subcommand& MutantsCommand() {
  static const Subcommand cmd{
      "mutants",
      "The seeded mutants' detection matrix, found by fuzzing: odds, executions to detection, check.",
      "[--budget-execs N | --budget-seconds S] [--only NAME,...] [--seeds K] [--baseline]",
      "For each seeded mutant (allocator/variants/mutants), K campaigns of both fuzz targets against the\n"
      "variant it breaks, as 'zsfuzz run --variants BASE,MUTANT' runs them, from the built-in seed corpus\n"
      "(the mutants' witnesses are not in it), with libFuzzer seeds 1..K. Each target stops at its first\n"
      "finding or when its budget is spent: --budget-execs executions (with the fixed seeds a campaign is\n"
      "the same on every machine) or --budget-seconds of wall time. One row per mutant: detected in k of\n"
      "K campaigns, the median executions (of the target that found it) and seconds to the first finding,\n"
      "the median size of the finding minimized (ops), and the target and check that caught it first;\n"
      "per-campaign lines on stderr. --baseline: after each campaign, free-running real-thread stress\n"
      "('zsfuzz stress --variant MUTANT --threads 2', in this build, seeds 1000*k, 1000*k+1, ...) for\n"
      "the same wall time, at least 1 s; the row adds its detections, median seconds, how many of its\n"
      "findings replayed with the same flags, and its median seconds over the campaigns'. Last line\n"
      "'mutants: D detected, S survived' (the campaigns). Exit status 1 if a mutant survived every campaign.",
      kCmdMutants,
      &RunMutants,
  };
  return cmd;
}

}  // namespace zsfuzz
