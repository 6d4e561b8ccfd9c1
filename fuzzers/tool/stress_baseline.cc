// The real-thread stress baseline of `zsfuzz mutants --baseline` (stress_baseline.h).
#include "fuzzers/tool/stress_baseline.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "fuzzers/campaign/spawn.h"
#include "fuzzers/targets/diff_target.h"
#include "oracle/invariants.h"

extern char** environ;

namespace zsfuzz {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ChildRun {
  bool started = false;
  bool timed_out = false;  // killed at the deadline: no verdict
  int status = 0;
  std::string out, err;
};

// Runs `self stress ...` with its stdout and stderr in files, killed at `deadline`.
ChildRun RunStressChild(const std::string& self, const SeededMutant& m, uint64_t seed,
                        Clock::time_point deadline, const std::string& dir) {
  ChildRun run;
  const std::string out_path = dir + "/stress.out", err_path = dir + "/stress.err";
  int error = 0;
  const pid_t pid = SpawnToFiles({self, "stress", "--variant", m.name, "--threads", "2", "--ops",
                                  std::to_string(kBaselineOpsPerThread), "--seed", std::to_string(seed)},
                                 out_path, err_path, environ, &error);
  if (pid < 0) return run;
  run.started = true;
  for (;;) {
    const pid_t done = waitpid(pid, &run.status, WNOHANG);
    if (done == pid) break;
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &run.status, 0);
      run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  run.out = ReadAll(out_path);
  run.err = ReadAll(err_path);
  return run;
}

}  // namespace

std::string StressSignature(const std::string& out, const std::string& err, int wait_status) {
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return "";
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::ConsumePrefix(&line, "result: FAILED (") && absl::ConsumeSuffix(&line, ")"))
      return std::string(line);
  }
  std::string what;
  if (!oracle::BugLine(err, &what).empty()) return "kernel:BUG: " + what;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::ConsumePrefix(&line, "SUMMARY: "))
      return targets::CrashSignature(std::string_view(line.data(), line.size()));
  }
  if (WIFSIGNALED(wait_status)) return absl::StrFormat("crash:signal %d", WTERMSIG(wait_status));
  return absl::StrFormat("crash:exit status %d", WEXITSTATUS(wait_status));
}

StressBaseline RunStressBaseline(const SeededMutant& mutant, double budget_seconds, uint64_t first_seed) {
  StressBaseline b;
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  char tmpl[] = "/tmp/zsfuzz-stress-XXXXXX";
  if (ec || mkdtemp(tmpl) == nullptr) {
    b.error = "cannot find zsfuzz or make a folder in /tmp";
    return b;
  }
  const std::string dir = tmpl;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget_seconds));
  for (uint64_t seed = first_seed; Clock::now() < deadline; seed++) {
    const ChildRun run = RunStressChild(self, mutant, seed, deadline, dir);
    if (!run.started) {
      b.error = "cannot start zsfuzz stress";
      break;
    }
    b.runs++;
    if (run.timed_out) break;
    const std::string signature = StressSignature(run.out, run.err, run.status);
    if (signature.empty()) continue;
    b.detected = true;
    b.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    b.signature = signature;
    b.seed = seed;
    // The same flags once more, with as long as the first try had.
    const ChildRun again = RunStressChild(
        self, mutant, seed, Clock::now() + (Clock::now() - start) + std::chrono::seconds(5), dir);
    b.replays = !again.timed_out && StressSignature(again.out, again.err, again.status) == signature;
    break;
  }
  fs::remove_all(dir, ec);
  return b;
}

}  // namespace zsfuzz
