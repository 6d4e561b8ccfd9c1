// A fuzz child's libFuzzer command line (fuzz_child_args.h). A file of its
// own: the tests link it without campaign.cc, which calls libFuzzer.
#include "fuzzers/campaign/fuzz_child_args.h"

#include "absl/strings/str_cat.h"

namespace zsfuzz {
namespace {

// Fuzz inputs are at most this long (binary programs: a few bytes per op).
constexpr int kMaxInputLen = ZSFUZZ_MAX_INPUT_LEN;

}  // namespace

std::string TargetWorkDir(const std::string& workdir, targets::TargetKind kind) {
  return absl::StrCat(workdir, "/", targets::TargetShortName(kind));
}

std::vector<std::string> FuzzChildArgs(targets::TargetKind kind, const std::string& workdir, uint32_t seconds,
                                       uint64_t runs, uint32_t seed) {
  const std::string dir = TargetWorkDir(workdir, kind);
  std::vector<std::string> args = {
      absl::StrCat("zsfuzz-", targets::TargetBinaryName(kind)),
      absl::StrCat("-max_total_time=", seconds),
      "-timeout=30",
      absl::StrCat("-max_len=", kMaxInputLen),
      absl::StrCat("-artifact_prefix=", dir, "/artifacts/"),
      absl::StrCat("-dict=", workdir, "/zs_diff.dict"),
      "-print_final_stats=1",
  };
  if (runs != 0) {
    args.insert(args.end(), {absl::StrCat("-runs=", runs), "-reload=0"});
  } else {
    // A time budget: libFuzzer's entropic schedule gives an input more energy
    // the faster it runs (0.1x to 30x of the corpus mean). A seq input's cost
    // grows with its program (every op is followed by the checks), so without
    // it a campaign spends most of its time on its longest inputs. The weights
    // come from wall-clock times, so an execution budget (the same campaign
    // every time) leaves it off. README, "Performance".
    args.push_back("-entropic_scale_per_exec_time=1");
  }
  if (seed != 0) args.push_back(absl::StrCat("-seed=", seed));
  args.push_back(dir + "/corpus");
  return args;
}

}  // namespace zsfuzz
