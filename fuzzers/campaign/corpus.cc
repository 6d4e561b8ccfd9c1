// Corpus merge and minimize through libFuzzer's -merge=1 (corpus.h).
#include "fuzzers/campaign/corpus.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzzers/campaign/run_driver.h"
#include "fuzzers/campaign/spawn.h"
#include "oracle/program/program_file.h"

namespace zsfuzz {
namespace {

namespace fs = std::filesystem;

// Files under `dir`, recursively, as libFuzzer reads a corpus folder.
uint64_t CountFiles(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) n++;
  return n;
}

// This process's environment with `overrides` ("NAME=value") in place of
// the variables of those names.
std::vector<std::string> EnvironmentWith(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; e++) {
    const std::string_view var(*e);
    bool replaced = false;
    for (const std::string& o : overrides)
      replaced |= var.substr(0, var.find('=') + 1) == std::string_view(o).substr(0, o.find('=') + 1);
    if (!replaced) env.emplace_back(var);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

}  // namespace

absl::StatusOr<targets::TargetKind> TargetKindFromFolders(const std::vector<std::string>& dirs) {
  std::optional<targets::TargetKind> kind;
  for (const std::string& d : dirs) {
    const std::string abs = fs::absolute(d).lexically_normal().string();
    const bool conc = absl::StrContains(abs, "diff_conc");
    const bool seq = absl::StrContains(abs, "diff_seq");
    if (conc == seq)
      return absl::InvalidArgumentError(
          absl::StrCat("cannot tell the target of '", d,
                       "' from its name (diff_seq or diff_conc): give --target seq or conc"));
    const targets::TargetKind k = conc ? targets::TargetKind::kConc : targets::TargetKind::kSeq;
    if (kind && *kind != k)
      return absl::InvalidArgumentError(
          "the folders are of both targets (diff_seq and diff_conc): merge them "
          "one target at a time, or give --target");
    kind = k;
  }
  if (!kind) return absl::InvalidArgumentError("no folder given");
  return *kind;
}

absl::StatusOr<CorpusMergeResult> MergeCorpus(const CorpusMergeOptions& options) {
  std::error_code ec;
  for (const std::string& d : options.in_dirs) {
    if (!fs::is_directory(d, ec))
      return absl::InvalidArgumentError(absl::StrCat("'", d, "' is not a folder"));
  }
  if (fs::exists(options.out_dir, ec) && !fs::is_directory(options.out_dir, ec))
    return absl::InvalidArgumentError(absl::StrCat("'", options.out_dir, "' exists and is not a folder"));
  fs::create_directories(options.out_dir, ec);
  if (ec)
    return absl::InvalidArgumentError(absl::StrCat("cannot make '", options.out_dir, "': ", ec.message()));
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return absl::InternalError(absl::StrCat("cannot find zsfuzz's own binary: ", ec.message()));
  char tmpl[] = "/tmp/zsfuzz-corpus-XXXXXX";
  if (mkdtemp(tmpl) == nullptr)
    return absl::InternalError(absl::StrCat("cannot make a folder in /tmp: ", std::strerror(errno)));
  const std::string work = tmpl;

  CorpusMergeResult result;
  result.before = CountFiles(options.out_dir);
  for (const std::string& d : options.in_dirs) result.inputs += CountFiles(d);
  result.log = work + "/merge.log";

  // The inner runs are this binary with these arguments (corpus.h).
  std::vector<std::string> argv = {self, "-merge=1", "-timeout=30",
                                   absl::StrCat("-artifact_prefix=", work, "/"), options.out_dir};
  argv.insert(argv.end(), options.in_dirs.begin(), options.in_dirs.end());
  std::vector<std::string> env =
      EnvironmentWith({absl::StrCat(kLibFuzzerChildEnv, "=", targets::TargetShortName(options.kind)),
                       absl::StrCat("ZSFUZZ_VARIANTS=", options.variants.ToString()),
                       absl::StrCat(kLibFuzzerFindingsEnv, "=", work)});
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int error = 0;
  const pid_t pid = SpawnToFiles(argv, work + "/merge.out", result.log, envp.data(), &error);
  if (pid < 0) return absl::InternalError(absl::StrCat("cannot start ", self, ": ", std::strerror(error)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return absl::InternalError(
        absl::StrCat("libFuzzer's merge failed (", WIFEXITED(status) ? "exit status " : "signal ",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), "); see ", result.log));
  // Every inner run but a last one that ended well ("successful in N
  // attempt(s)") was ended by an input; the next attempt starts after it.
  if (absl::StatusOr<std::string> log = ReadFileBytes(result.log); log.ok()) {
    uint64_t attempts = 0;
    bool successful = false;
    for (absl::string_view line : absl::StrSplit(*log, '\n')) {
      if (absl::StartsWith(line, "MERGE-OUTER: attempt ")) attempts++;
      if (absl::StartsWith(line, "MERGE-OUTER: successful in ")) successful = true;
    }
    result.stopped = attempts - (successful && attempts > 0 ? 1 : 0);
  }
  result.after = CountFiles(options.out_dir);
  // The log is worth keeping only when it names inputs that were left out.
  if (result.stopped == 0) {
    fs::remove_all(work, ec);
    result.log.clear();
  }
  return result;
}

[[noreturn]] void RunLibFuzzerChild(targets::TargetKind kind, int argc, char** argv) {
  const char* variants = std::getenv("ZSFUZZ_VARIANTS");
  std::string error;
  std::optional<targets::VariantPair> pair =
      targets::ParseVariantPair(variants != nullptr ? variants : "pre,post", &error);
  if (!pair) {
    std::fprintf(stderr, "zsfuzz: error: ZSFUZZ_VARIANTS: %s\n", error.c_str());
    std::exit(2);
  }
  targets::TargetConfig config;
  config.kind = kind;
  config.variants = *pair;
  // A finding ends the process with an exit status, as in the campaign's
  // children: an abort() would go through libFuzzer's signal handler, which
  // TSan stops in (a signal-unsafe call).
  config.action = targets::FindingAction::kExit;
  const char* findings = std::getenv(kLibFuzzerFindingsEnv);
  config.findings_dir = findings != nullptr ? findings : ".";
  targets::ConfigureTarget(config);
  std::exit(LLVMFuzzerRunDriver(&argc, &argv, &targets::TestOneInput));
}

}  // namespace zsfuzz
