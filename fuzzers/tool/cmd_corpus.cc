// `zsfuzz corpus merge|minimize`: corpus folders cut down to the inputs that
// add a target's coverage (fuzzers/campaign/corpus.h).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzzers/campaign/corpus.h"
#include "fuzzers/targets/diff_target.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"

namespace zsfuzz {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<targets::TargetKind> KindFromFlagOrFolders(const std::vector<std::string>& dirs) {
  if (Flags().target.empty()) return TargetKindFromFolders(dirs);
  std::optional<targets::TargetKind> k = targets::ParseTargetKind(Flags().target);
  if (!k) return absl::InvalidArgumentError("--target '" + Flags().target + "': use seq or conc");
  return *k;
}

// DIR.min for DIR (a trailing '/' dropped).
std::string DefaultMinimizedFolder(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".min";
}

absl::StatusOr<int> RunCorpus() {
  const std::vector<std::string>& args = CommandArgs();
  const std::string& action = args[0];
  if (action != "merge" && action != "minimize")
    return absl::InvalidArgumentError("corpus: unknown action '" + action + "'; use merge or minimize");
  CorpusMergeOptions opt;
  if (action == "merge") {
    if (args.size() < 3)
      return absl::InvalidArgumentError("corpus merge: give OUT and at least one IN folder");
    if (!Flags().out.empty())
      return absl::InvalidArgumentError("corpus merge: the first folder is OUT; --out is for minimize");
    opt.out_dir = args[1];
    opt.in_dirs.assign(args.begin() + 2, args.end());
  } else {
    opt.in_dirs.assign(args.begin() + 1, args.end());
    opt.out_dir = Flags().out.empty() ? DefaultMinimizedFolder(opt.in_dirs[0]) : Flags().out;
    std::error_code ec;
    if (fs::exists(opt.out_dir, ec) && !(fs::is_directory(opt.out_dir, ec) && fs::is_empty(opt.out_dir, ec)))
      return absl::InvalidArgumentError(absl::StrCat("corpus minimize: '", opt.out_dir,
                                                     "' exists and is not an empty folder (minimize writes a "
                                                     "new one; give --out)"));
  }
  absl::StatusOr<targets::TargetKind> kind = KindFromFlagOrFolders(opt.in_dirs);
  if (!kind.ok())
    return absl::InvalidArgumentError("corpus " + action + ": " + std::string(kind.status().message()));
  opt.kind = *kind;
  AcceptSeededMutants();
  std::string error;
  std::optional<targets::VariantPair> pair = targets::ParseVariantPair(Flags().variants, &error);
  if (!pair) return absl::InvalidArgumentError("--variants: " + error);
  opt.variants = *pair;
  for (const std::string& d : opt.in_dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec))
      return absl::InvalidArgumentError(absl::StrCat("corpus ", action, ": '", d, "' is not a folder"));
  }
  std::fprintf(stderr, "zsfuzz corpus %s: %s coverage of %s; into %s\n", action.c_str(),
               targets::TargetBinaryName(opt.kind), opt.variants.ToString().c_str(), opt.out_dir.c_str());
  absl::StatusOr<CorpusMergeResult> r = MergeCorpus(opt);
  if (!r.ok())
    return absl::InvalidArgumentError("corpus " + action + ": " + std::string(r.status().message()));
  std::printf("corpus %s: %s: %llu -> %llu files (%llu inputs read)\n", action.c_str(), opt.out_dir.c_str(),
              static_cast<unsigned long long>(r->before), static_cast<unsigned long long>(r->after),
              static_cast<unsigned long long>(r->inputs));
  if (r->stopped > 0)
    std::printf(
        "corpus %s: %llu input(s) ended the target (a finding or a crash) and were left out; see %s and the "
        "programs beside it\n",
        action.c_str(), static_cast<unsigned long long>(r->stopped), r->log.c_str());
  return kExitClean;
}

}  // namespace

const Subcommand& CorpusCommand() {
  static const Subcommand cmd{
      "corpus",
      "Merge corpus folders, or minimize them, keeping the inputs that add a target's coverage.",
      "merge OUT IN... | minimize DIR... [--out NEW] [--target seq|conc] [--variants A,B]",
      "Both run libFuzzer's crash-resistant merge (-merge=1) over one differential target, with its\n"
      "features: code edges, interleaving counters and class occupancy, so the schedules and deep states\n"
      "that reached something new are kept. 'merge OUT IN...' adds to OUT (made if missing) the inputs\n"
      "of the IN folders that add to what OUT already covers. 'minimize DIR...' writes to a new folder\n"
      "(--out, default DIR.min) a smallest-first subset of the DIRs with the same coverage. Neither\n"
      "changes its input folders. The target comes from the folders' names (diff_seq, diff_conc, as in\n"
      "corpus/ and the fuzzers' working folders) unless --target says. An input that gives a finding or\n"
      "crashes is left out and counted. Prints the files before and after on stdout.",
      kCmdCorpus,
      &RunCorpus,
      2,
      1024,
  };
  return cmd;
}

}  // namespace zsfuzz
