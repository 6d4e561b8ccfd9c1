// `zsfuzz gate --base A --head B`: the differential campaign as a CI gate, a
// fixed execution budget with a fixed seed, exit 1 on any finding.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fuzzers/campaign/campaign.h"
#include "fuzzers/targets/diff_target.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

namespace zsfuzz {
namespace {

// A budget in executions, not time: the wall clock only stops a gate that
// could never finish.
constexpr uint32_t kGateCapSeconds = 24 * 3600;
constexpr uint64_t kMaxBudget = 100000000;

absl::StatusOr<int> RunGate() {
  if (Flags().base.empty() || Flags().head.empty())
    return absl::InvalidArgumentError("gate: give both --base and --head (see 'zsfuzz list')");
  if (absl::Status s = CheckFlagRange("budget-execs", Flags().budget_execs, 1, kMaxBudget); !s.ok()) return s;
  AcceptSeededMutants();
  std::string error;
  std::optional<targets::VariantPair> pair =
      targets::ParseVariantPair(absl::StrCat(Flags().base, ",", Flags().head), &error);
  if (!pair) return absl::InvalidArgumentError("--base/--head: " + error);
  CampaignOptions opt;
  opt.variants = *pair;
  opt.runs = Flags().budget_execs;
  opt.seed = Flags().fuzz_seed != 0 ? Flags().fuzz_seed : 1;
  opt.seconds = kGateCapSeconds;
  opt.jobs = 1;  // one worker per target: the same campaign every time
  opt.command = "zsfuzz gate";
  opt.out_dir = Flags().out.empty() ? "zsfuzz-gate" : Flags().out;
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec)
    return absl::InvalidArgumentError(absl::StrCat("--out: cannot make '", opt.out_dir, "': ", ec.message()));
  std::fprintf(stderr, "zsfuzz gate: %s against %s, %llu executions per target, seed %u; files in %s\n",
               opt.variants.b->name, opt.variants.a->name, static_cast<unsigned long long>(opt.runs),
               opt.seed, opt.out_dir.c_str());
  const CampaignResult r = RunCampaign(opt);
  std::string summary = FormatCampaignSummary(opt, r);
  bool errors = false;
  for (const TargetStats& st : r.targets) errors |= !st.error.empty();
  if (!r.findings.empty() || errors || r.interrupted) {
    absl::StrAppendFormat(&summary, "gate: FAIL: %s against %s: %u finding(s)%s%s; see %s\n",
                          opt.variants.b->name, opt.variants.a->name, r.findings.size(),
                          errors ? ", a target could not run" : "", r.interrupted ? ", interrupted" : "",
                          opt.out_dir);
  } else {
    absl::StrAppendFormat(&summary, "gate: PASS: %s against %s, %u executions per target, seed %u\n",
                          opt.variants.b->name, opt.variants.a->name, opt.runs, opt.seed);
  }
  std::ofstream(opt.out_dir + "/summary.txt") << summary;
  std::fputs(summary.c_str(), stdout);
  std::fflush(stdout);
  return r.findings.empty() && !errors && !r.interrupted ? kExitClean : kExitFinding;
}

}  // namespace

const Subcommand& GateCommand() {
  static const Subcommand cmd{
      "gate",
      "A CI gate: fuzz --head against --base for a fixed execution budget; exit 1 on any finding.",
      "--base A --head B [--budget-execs N] [--fuzz-seed S] [--out DIR]",
      "The differential campaign of 'zsfuzz run' with both targets, one process each, each for exactly\n"
      "--budget-execs executions with a fixed libFuzzer seed (--fuzz-seed, default 1): the same campaign\n"
      "every time on the same build, however fast the machine. Starts from the built-in seeds. Writes\n"
      "DIR/summary.txt (the run summary and the verdict line) and each finding's program, log and\n"
      "repro command to --out (default ./zsfuzz-gate). The last line is 'gate: PASS: ...' or\n"
      "'gate: FAIL: ...'; exit status 1 on a finding, on a target that could not run or on an interrupt.\n"
      "To gate a zsmalloc patch, port it as a variant folder (allocator/variants/README.md) and run\n"
      "'zsfuzz gate --base post --head <it>'.",
      kCmdGate,
      &RunGate,
  };
  return cmd;
}

}  // namespace zsfuzz
