// The campaign parent (RunCampaign) and child (RunFuzzChild) of `zsfuzz run`.
#include "fuzzers/campaign/campaign.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "fuzzers/campaign/fuzz_child_args.h"
#include "fuzzers/campaign/run_driver.h"
#include "fuzzers/campaign/scratch_dir.h"
#include "fuzzers/campaign/seeds.h"
#include "fuzzers/mutator/dict.h"
#include "oracle/program/binary.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

extern char** environ;

namespace zsfuzz {
namespace {

namespace fs = std::filesystem;
using targets::TargetKind;
using Clock = std::chrono::steady_clock;

// A child that stops early is restarted at most this often per target.
constexpr int kMaxRestarts = 200;

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The number right after `key` in `line` ("cov: 123" -> 123), or false.
bool NumberAfter(absl::string_view line, absl::string_view key, uint64_t* value) {
  const size_t at = line.find(key);
  if (at == absl::string_view::npos) return false;
  absl::string_view rest = line.substr(at + key.size());
  size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') n++;
  return n > 0 && absl::SimpleAtoi(rest.substr(0, n), value);
}

std::string Basename(const std::string& path) { return fs::path(path).filename().string(); }

bool WriteText(const std::string& path, absl::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

// Writes by a temporary file and a rename, so that a child of another
// worker never reads half a file.
bool WriteTextAtomically(const std::string& path, absl::string_view text) {
  const std::string tmp =
      absl::StrCat(path, ".tmp.", getpid(), ".", std::hash<std::thread::id>()(std::this_thread::get_id()));
  if (!WriteText(tmp, text)) return false;
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

// Shared between a target's worker threads and the progress/summary code;
// every member under mu.
struct TargetState {
  std::mutex mu;
  TargetStats stats;
  struct Worker {
    uint64_t finished_execs = 0;  // its finished children's (its share of a --runs budget)
    uint64_t live_execs = 0;      // its running child's so far
    int children = 0;             // started so far
    double seconds = 0;           // wall time its children ran
  };
  std::vector<Worker> workers;
  std::vector<std::string> known;

  uint64_t Execs() const {
    uint64_t n = 0;
    for (const Worker& w : workers) n += w.finished_execs + w.live_execs;
    return n;
  }
};

class Campaign {
 public:
  explicit Campaign(const CampaignOptions& options) : options_(options) {}
  CampaignResult Run();

 private:
  bool Setup();
  // One worker of a target: its children one after the other.
  void RunWorker(TargetKind kind, TargetState* state, size_t worker);
  // One child: runs until it exits; returns its wait status.
  int RunChild(TargetKind kind, TargetState* state, size_t worker, uint32_t seconds,
               const std::string& log_path, std::string* artifact, std::string* summary,
               bool* reported_finding);
  void RecordFinding(TargetKind kind, TargetState* state, const std::string& signature,
                     const std::string& text_file, const std::string& log_path,
                     const std::string& target_flag, uint64_t execs);
  // Keeps a crash from ending every later child the same way.
  void ForgetCrash(TargetKind kind, const std::string& input, const std::string& summary);
  void RecordCrash(TargetKind kind, TargetState* state, const std::string& artifact,
                   const std::string& summary, const std::string& log_path);
  bool EnsureOutDir();
  void ProgressLoop();
  std::string ProgressLine();

  const CampaignOptions& options_;
  std::string self_;
  std::string workdir_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  std::vector<std::unique_ptr<TargetState>> states_;
  std::mutex findings_mu_;
  std::vector<CampaignFinding> findings_;
  std::mutex progress_mu_;
  std::condition_variable progress_cv_;
  bool done_ = false;
};

bool Campaign::Setup() {
  std::error_code ec;
  self_ = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    std::fprintf(stderr, "zsfuzz run: cannot find its own binary: %s\n", ec.message().c_str());
    return false;
  }
  workdir_ = MakeScratchDir("zsfuzz-run-");
  if (workdir_.empty()) {
    std::fprintf(stderr, "zsfuzz run: cannot make a working directory in %s: %s\n", ScratchRoot().c_str(),
                 std::strerror(errno));
    return false;
  }
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  // A race must stop the child with a crash file, not let it fuzz on
  // (docs/toolchain.md: libFuzzer ignores TSan reports otherwise).
  const char* tsan = std::getenv("TSAN_OPTIONS");
  if (tsan == nullptr || !absl::StrContains(tsan, "halt_on_error")) {
    const std::string opts = tsan ? absl::StrCat(tsan, ":halt_on_error=1") : "halt_on_error=1";
    setenv("TSAN_OPTIONS", opts.c_str(), 1);
  }
#endif
#endif
  const std::string dict = ProgramDictionary();
  if (!WriteText(workdir_ + "/zs_diff.dict", dict)) return false;
  for (TargetKind kind : options_.targets) {
    const std::string dir = TargetWorkDir(workdir_, kind);
    for (const char* sub : {"corpus", "findings", "artifacts"}) fs::create_directories(dir + "/" + sub, ec);
    // The target's own seeds, binary-encoded as the target would check them.
    const std::string_view seed_dir = kind == TargetKind::kSeq ? "diff_seq" : "diff_conc";
    for (const EmbeddedSeed& seed : EmbeddedSeeds()) {
      if (seed.dir != seed_dir) continue;
      absl::StatusOr<Program> p = ParseProgram(std::string_view(seed.bytes));
      if (!p.ok()) {
        std::fprintf(stderr, "zsfuzz run: embedded seed %s/%s does not parse: %s\n",
                     std::string(seed.dir).c_str(), std::string(seed.name).c_str(),
                     std::string(p.status().message()).c_str());
        continue;
      }
      const std::vector<uint8_t> bytes = EncodeProgram(targets::ProgramForTarget(kind, *std::move(p)));
      WriteText(absl::StrCat(dir, "/corpus/seed-", std::string(seed.name)),
                absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
  }
  return true;
}

bool Campaign::EnsureOutDir() {
  std::error_code ec;
  fs::create_directories(options_.out_dir, ec);
  if (ec)
    std::fprintf(stderr, "zsfuzz run: cannot make %s: %s\n", options_.out_dir.c_str(), ec.message().c_str());
  return !ec;
}

void Campaign::RecordFinding(TargetKind kind, TargetState* state, const std::string& signature,
                             const std::string& text_file, const std::string& log_path,
                             const std::string& target_flag, uint64_t execs) {
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (std::find(state->known.begin(), state->known.end(), signature) != state->known.end()) {
      state->stats.repeats++;
      return;
    }
    state->known.push_back(signature);
    state->stats.findings++;
  }
  CampaignFinding f;
  f.target = kind;
  f.signature = signature;
  f.execs = execs;
  f.seconds = Seconds(Clock::now() - start_);
  if (EnsureOutDir()) {
    std::error_code ec;
    f.file = options_.out_dir + "/" + Basename(text_file);
    fs::copy_file(text_file, f.file, fs::copy_options::overwrite_existing, ec);
    if (ec) f.file = text_file;
    f.log = f.file.substr(0, f.file.rfind('.')) + ".log";
    fs::copy_file(log_path, f.log, fs::copy_options::overwrite_existing, ec);
  } else {
    f.file = text_file;
  }
  f.repro =
      absl::StrFormat("zsfuzz repro %s --variants %s%s", f.file, options_.variants.ToString(), target_flag);
  if (options_.progress)
    std::fprintf(stderr, "%s: FINDING in %s: %s\n  repro: %s\n", options_.command.c_str(),
                 targets::TargetBinaryName(kind), signature.c_str(), f.repro.c_str());
  std::lock_guard<std::mutex> lock(findings_mu_);
  findings_.push_back(std::move(f));
}

void Campaign::ForgetCrash(TargetKind kind, const std::string& input, const std::string& summary) {
  // The corpus may hold the input itself (a seed, or one that crashed only
  // after a restart): the next child must not load it again.
  const std::string dir = TargetWorkDir(workdir_, kind);
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir + "/corpus", ec)) {
    if (e.file_size(ec) != input.size()) continue;
    absl::StatusOr<std::string> bytes = ReadFileBytes(e.path().string());
    if (bytes.ok() && *bytes == input) fs::remove(e.path(), ec);
  }
  // A data race cannot be stepped over in the process, but TSan can be told
  // to let the next children pass it by: "race:<function>" (the frame the
  // SUMMARY line names, parameters dropped).
  if (absl::StartsWith(summary, "ThreadSanitizer: data race")) {
    const size_t in = summary.rfind(" in ");
    if (in == std::string::npos) return;
    std::string function = summary.substr(in + 4);
    function = function.substr(0, function.find('('));
    std::ofstream(dir + "/tsan.supp", std::ios::app) << "race:" << function << "\n";
  }
}

void Campaign::RecordCrash(TargetKind kind, TargetState* state, const std::string& artifact,
                           const std::string& summary, const std::string& log_path) {
  const std::string signature = targets::CrashSignature(summary);
  // The crash file is the raw input; its text is what the target checked.
  absl::StatusOr<std::string> bytes = ReadFileBytes(artifact);
  if (!bytes.ok()) {
    std::fprintf(stderr, "zsfuzz run: %s\n", std::string(bytes.status().message()).c_str());
    return;
  }
  ForgetCrash(kind, *bytes, summary);
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (std::find(state->known.begin(), state->known.end(), signature) != state->known.end()) {
      state->stats.repeats++;
      std::error_code ec;
      fs::remove(artifact, ec);
      return;
    }
  }
  const Program p = targets::ProgramForTarget(
      kind, targets::DecodeInput(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  const std::string text_file = artifact + ".txt";
  WriteText(text_file, targets::AnnotatedProgramText(
                           p, {"crash: " + summary, "signature: " + signature, "input: " + Basename(artifact),
                               "variants: " + options_.variants.ToString()}));
  if (EnsureOutDir()) {
    std::error_code ec;
    fs::copy_file(artifact, options_.out_dir + "/" + Basename(artifact), fs::copy_options::overwrite_existing,
                  ec);
  }
  const std::string target_flag = targets::KindForProgram(p) == kind
                                      ? ""
                                      : absl::StrFormat(" --target %s", targets::TargetShortName(kind));
  uint64_t execs = 0;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    execs = state->Execs();
  }
  RecordFinding(kind, state, signature, text_file, log_path, target_flag, execs);
}

// A worker's share of a --runs budget: runs / workers, the remainder to the
// first workers.
uint64_t WorkerRuns(uint64_t runs, size_t workers, size_t worker) {
  return runs / workers + (worker < runs % workers ? 1 : 0);
}

int Campaign::RunChild(TargetKind kind, TargetState* state, size_t worker, uint32_t seconds,
                       const std::string& log_path, std::string* artifact, std::string* summary,
                       bool* reported_finding) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  const std::string time_arg = std::to_string(seconds);
  const std::string variants = options_.variants.ToString();
  std::vector<std::string> args = {self_,    "fuzz-child", targets::TargetShortName(kind),
                                   workdir_, "--variants", variants,
                                   "--time", time_arg};
  uint64_t budget = 0;
  uint64_t seed = 0;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    const TargetState::Worker& w = state->workers[worker];
    const size_t workers = state->workers.size();
    const uint64_t share = WorkerRuns(options_.runs, workers, worker);
    budget = share - std::min(w.finished_execs, share);
    // A restarted child must not replay its predecessor's mutations, nor one
    // worker another's: seed + worker + workers * (its children before).
    seed = options_.seed + worker + workers * static_cast<uint64_t>(w.children - 1);
  }
  if (options_.runs != 0) args.insert(args.end(), {"--runs", std::to_string(budget)});
  if (options_.seed != 0) args.insert(args.end(), {"--fuzz-seed", std::to_string(seed)});
  // Built before fork: the child of a multithreaded process may not allocate.
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment, with the races already found suppressed (ForgetCrash).
  std::vector<std::string> env;
  const std::string supp = TargetWorkDir(workdir_, kind) + "/tsan.supp";
  for (char** e = environ; *e != nullptr; e++) {
    if (std::strncmp(*e, "TSAN_OPTIONS=", 13) == 0 && fs::exists(supp)) {
      env.push_back(absl::StrCat(*e, ":suppressions=", supp));
    } else {
      env.emplace_back(*e);
    }
  }
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(pipefd[1], STDERR_FILENO);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::ofstream log(log_path, std::ios::binary | std::ios::trunc);
  std::string pending;
  uint64_t child_execs = 0;
  bool killed = false;
  auto handle_line = [&](absl::string_view line) {
    log << line << '\n';
    uint64_t v = 0;
    std::lock_guard<std::mutex> lock(state->mu);
    TargetStats& st = state->stats;
    if (absl::ConsumePrefix(&line, "zsfuzz-stats: ")) {
      if (NumberAfter(line, "execs=", &v)) child_execs = std::max(child_execs, v);
    } else if (!line.empty() && line[0] == '#' && absl::StrContains(line, " cov: ")) {
      if (NumberAfter(line, "#", &v)) child_execs = std::max(child_execs, v);
      if (NumberAfter(line, " cov: ", &v)) st.coverage = std::max(st.coverage, v);
      if (NumberAfter(line, " ft: ", &v)) st.features = std::max(st.features, v);
      if (NumberAfter(line, " corp: ", &v)) st.corpus = std::max(st.corpus, v);
    } else if (absl::ConsumePrefix(&line, "stat::number_of_executed_units: ")) {
      if (absl::SimpleAtoi(line, &v)) child_execs = std::max(child_execs, v);
    } else if (absl::ConsumePrefix(&line, "zsfuzz-finding: ")) {
      if (absl::StartsWith(line, "known-continue ")) {
        st.repeats++;
      } else {
        *reported_finding = true;
        if (absl::StartsWith(line, "known ")) st.repeats++;
      }
    } else if (absl::StrContains(line, "Test unit written to ")) {
      *artifact = std::string(line.substr(line.find("Test unit written to ") + 21));
    } else if (absl::ConsumePrefix(&line, "SUMMARY: ")) {
      *summary = std::string(line);
    }
    state->workers[worker].live_execs = child_execs;
    st.execs = state->Execs();
  };
  std::vector<std::string> finding_lines;
  char buf[8192];
  for (;;) {
    pollfd pfd{pipefd[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, 200);
    if (g_stop.load() && !killed) {
      kill(pid, SIGINT);  // libFuzzer stops cleanly and prints its final stats
      killed = true;
    }
    if (ready <= 0) continue;
    const ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      const absl::string_view line(pending.data() + start, nl - start);
      if (absl::StartsWith(line, "zsfuzz-finding: new ")) finding_lines.emplace_back(line);
      handle_line(line);
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) handle_line(pending);
  close(pipefd[0]);
  log.close();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // The target's executions before this child's (all workers'), for the
  // executions to each of its findings.
  uint64_t before = 0;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    TargetState::Worker& w = state->workers[worker];
    w.live_execs = 0;
    w.finished_execs += child_execs;
    state->stats.execs = state->Execs();
    before = state->stats.execs - child_execs;
  }
  // "zsfuzz-finding: new PATH\tSIGNATURE\tTARGET_FLAG\texecs=N" (N: the child's)
  for (const std::string& line : finding_lines) {
    const std::vector<std::string> parts = absl::StrSplit(line.substr(20), '\t');
    uint64_t at = child_execs;
    if (parts.size() > 3) NumberAfter(parts[3], "execs=", &at);
    if (parts.size() >= 2)
      RecordFinding(kind, state, parts[1], parts[0], log_path, parts.size() > 2 ? parts[2] : "", before + at);
  }
  return status;
}

void Campaign::RunWorker(TargetKind kind, TargetState* state, size_t worker) {
  const std::string dir = TargetWorkDir(workdir_, kind);
  for (int child = 0; !g_stop.load(); child++) {
    const double left = Seconds(deadline_ - Clock::now());
    if (left < 1) break;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      const TargetState::Worker& w = state->workers[worker];
      if (options_.runs != 0 && w.finished_execs >= WorkerRuns(options_.runs, state->workers.size(), worker))
        break;
      WriteTextAtomically(dir + "/known", absl::StrJoin(state->known, "\n") + "\n");
      if (child > 0) state->stats.restarts++;
      state->workers[worker].children++;
    }
    const std::string log_path = absl::StrFormat("%s/log-%u-%d.txt", dir, worker, child);
    std::string artifact, summary;
    bool reported = false;
    const Clock::time_point t0 = Clock::now();
    const int status = RunChild(kind, state, worker, static_cast<uint32_t>(std::lround(left)), log_path,
                                &artifact, &summary, &reported);
    {
      std::lock_guard<std::mutex> lock(state->mu);
      TargetState::Worker& w = state->workers[worker];
      w.seconds += Seconds(Clock::now() - t0);
      state->stats.seconds = std::max(state->stats.seconds, w.seconds);
    }
    if (status == -1) {
      std::lock_guard<std::mutex> lock(state->mu);
      state->stats.error = absl::StrFormat("cannot start a child process: %s", std::strerror(errno));
      break;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;  // its time is up
    if (WIFEXITED(status) && WEXITSTATUS(status) == targets::kFindingExitCode && reported) {
      if (options_.stop_at_first_finding) break;
      continue;
    }
    if (!artifact.empty()) {
      RecordCrash(kind, state, artifact, summary, log_path);
      if (options_.stop_at_first_finding) break;
      continue;
    }
    if (g_stop.load()) break;
    // Neither time up, nor a finding, nor a crash file: the engine itself failed.
    std::lock_guard<std::mutex> lock(state->mu);
    state->stats.error =
        absl::StrFormat("the fuzz engine stopped (%s %d) with no finding; see %s",
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), log_path);
    std::error_code ec;
    if (EnsureOutDir()) {
      const std::string kept =
          absl::StrFormat("%s/%s-engine-error.log", options_.out_dir, targets::TargetShortName(kind));
      fs::copy_file(log_path, kept, fs::copy_options::overwrite_existing, ec);
      if (!ec) state->stats.error = absl::StrFormat("the fuzz engine stopped with no finding; see %s", kept);
    }
    break;
  }
  std::lock_guard<std::mutex> lock(state->mu);
  if (state->stats.restarts >= kMaxRestarts * static_cast<int>(state->workers.size()))
    state->stats.error = "stopped after too many restarts";
}

std::string Campaign::ProgressLine() {
  std::string line =
      absl::StrFormat("%s: %3.0f/%u s", options_.command, Seconds(Clock::now() - start_), options_.seconds);
  int findings = 0;
  for (const auto& s : states_) {
    std::lock_guard<std::mutex> lock(s->mu);
    const TargetStats& st = s->stats;
    const double secs = std::max(1e-3, Seconds(Clock::now() - start_));
    absl::StrAppendFormat(&line, " | %s %u execs %.0f/s cov %u corp %u", targets::TargetShortName(st.target),
                          st.execs, static_cast<double>(st.execs) / secs, st.coverage, st.corpus);
    findings += st.findings;
  }
  absl::StrAppendFormat(&line, " | findings %d", findings);
  return line;
}

void Campaign::ProgressLoop() {
  std::unique_lock<std::mutex> lock(progress_mu_);
  while (!progress_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return done_; })) {
    std::fprintf(stderr, "%s\n", ProgressLine().c_str());
  }
}

CampaignResult Campaign::Run() {
  CampaignResult result;
  start_ = Clock::now();
  deadline_ = start_ + std::chrono::seconds(options_.seconds);
  if (!Setup()) {
    TargetStats st;
    st.error = "could not set up the working directory";
    result.targets.push_back(st);
    return result;
  }
  g_stop.store(false);
  struct sigaction sa = {};
  sa.sa_handler = &OnStopSignal;
  struct sigaction old_int, old_term;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  const std::vector<uint32_t> workers = WorkersPerTarget(options_.jobs, options_.targets.size());
  for (size_t i = 0; i < options_.targets.size(); i++) {
    states_.push_back(std::make_unique<TargetState>());
    states_.back()->stats.target = options_.targets[i];
    states_.back()->stats.workers = workers[i];
    states_.back()->workers.resize(workers[i]);
  }
  std::vector<std::thread> runners;
  for (size_t i = 0; i < options_.targets.size(); i++) {
    for (size_t w = 0; w < workers[i]; w++)
      runners.emplace_back([this, i, w] { RunWorker(options_.targets[i], states_[i].get(), w); });
  }
  std::thread progress;
  if (options_.progress) progress = std::thread([this] { ProgressLoop(); });
  for (std::thread& t : runners) t.join();
  {
    std::lock_guard<std::mutex> lock(progress_mu_);
    done_ = true;
  }
  progress_cv_.notify_all();
  if (progress.joinable()) progress.join();

  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  result.interrupted = g_stop.load();
  result.seconds = Seconds(Clock::now() - start_);
  for (const auto& s : states_) result.targets.push_back(s->stats);
  result.findings = findings_;
  std::error_code ec;
  fs::remove_all(workdir_, ec);
  return result;
}

}  // namespace

std::vector<uint32_t> WorkersPerTarget(uint32_t jobs, size_t targets) {
  std::vector<uint32_t> workers(targets, 1);
  if (targets == 0) return workers;
  const uint32_t n = static_cast<uint32_t>(targets);
  for (size_t i = 0; i < targets; i++) workers[i] = std::max<uint32_t>(1, jobs / n + (i < jobs % n ? 1 : 0));
  return workers;
}

CampaignResult RunCampaign(const CampaignOptions& options) { return Campaign(options).Run(); }

std::string FormatCampaignSummary(const CampaignOptions& options, const CampaignResult& result) {
  std::string out =
      absl::StrFormat("%s: %s vs %s, %.0f s%s\n", options.command, options.variants.a->name,
                      options.variants.b->name, result.seconds, result.interrupted ? " (interrupted)" : "");
  absl::StrAppendFormat(&out, "%-21s %10s %9s %7s %8s %7s %9s %4s\n", "target", "execs", "exec/s", "cov",
                        "ft", "corpus", "findings", "jobs");
  for (const TargetStats& st : result.targets) {
    // All its workers' executions over the wall time: the target's throughput.
    const double rate = st.seconds > 0 ? static_cast<double>(st.execs) / st.seconds : 0;
    absl::StrAppendFormat(&out, "%-21s %10u %9.1f %7u %8u %7u %9d %4u\n",
                          targets::TargetBinaryName(st.target), st.execs, rate, st.coverage, st.features,
                          st.corpus, st.findings, st.workers);
  }
  for (const TargetStats& st : result.targets) {
    if (st.repeats > 0 || st.restarts > 0)
      absl::StrAppendFormat(&out, "%s: %d restart(s), %d repeat finding(s) of known signatures\n",
                            targets::TargetBinaryName(st.target), st.restarts, st.repeats);
    if (!st.error.empty())
      absl::StrAppendFormat(&out, "error: %s: %s\n", targets::TargetBinaryName(st.target), st.error);
  }
  for (size_t i = 0; i < result.findings.size(); i++) {
    const CampaignFinding& f = result.findings[i];
    absl::StrAppendFormat(&out, "finding %u: %s: %s\n  file:  %s\n", i + 1,
                          targets::TargetBinaryName(f.target), f.signature, f.file);
    if (!f.log.empty()) absl::StrAppendFormat(&out, "  log:   %s\n", f.log);
    absl::StrAppendFormat(&out, "  repro: %s\n", f.repro);
  }
  bool errors = false;
  for (const TargetStats& st : result.targets) errors |= !st.error.empty();
  if (!result.findings.empty()) {
    absl::StrAppendFormat(&out, "result: %u finding(s)\n", result.findings.size());
  } else if (errors) {
    out += "result: FAILED (a target could not run)\n";
  } else {
    out += "result: clean\n";
  }
  return out;
}

[[noreturn]] void RunFuzzChild(TargetKind kind, const targets::VariantPair& variants,
                               const std::string& workdir, uint32_t seconds, uint64_t runs, uint32_t seed) {
  const std::string dir = TargetWorkDir(workdir, kind);
  targets::TargetConfig config;
  config.kind = kind;
  config.variants = variants;
  config.action = targets::FindingAction::kExit;
  config.findings_dir = dir + "/findings";
  config.report_stats = true;
  if (absl::StatusOr<std::string> known = ReadFileBytes(dir + "/known"); known.ok()) {
    for (absl::string_view s : absl::StrSplit(*known, '\n', absl::SkipEmpty()))
      config.known_signatures.emplace_back(s);
  }
  targets::ConfigureTarget(config);
  std::vector<std::string> args = FuzzChildArgs(kind, workdir, seconds, runs, seed);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  char** argvp = argv.data();
  const int rc = LLVMFuzzerRunDriver(&argc, &argvp, &targets::TestOneInput);
  std::exit(rc);
}

}  // namespace zsfuzz
