#include "fuzzers/campaign/minimize.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "fuzzers/campaign/crash.h"

namespace zsfuzz {
namespace {

using Clock = std::chrono::steady_clock;

// TryRescheduled's alternatives: round robin, then random walks with seeds 1..N.
constexpr uint64_t kRescheduleSeeds = 8;

class Minimizer {
 public:
  Minimizer(targets::TargetKind kind, const targets::VariantPair& variants, std::string signature,
            const MinimizeOptions& options)
      : kind_(kind),
        variants_(variants),
        signature_(std::move(signature)),
        options_(options),
        deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(options.max_seconds))) {}

  MinimizeResult Run(Program p);

 private:
  bool OutOfBudget() {
    if (checks_ >= options_.max_checks || Clock::now() >= deadline_) exhausted_ = true;
    return exhausted_;
  }
  // True (and `best` updated) if `candidate` keeps the signature.
  bool Try(const Program& candidate, Program* best);
  // Try, then (several threads) the same candidate under each of a few other
  // schedules: a race needs its two accesses to meet, and dropping an op
  // shifts every later step, so the schedule that showed it may no longer.
  bool TryRescheduled(Program candidate, Program* best);
  bool DropThreads(Program* best);
  bool DropOpChunks(Program* best);
  bool SimplifyArgs(Program* best);
  bool SimplifySchedule(Program* best);

  const targets::TargetKind kind_;
  const targets::VariantPair variants_;
  const std::string signature_;
  const MinimizeOptions& options_;
  const Clock::time_point deadline_;
  int checks_ = 0;
  bool exhausted_ = false;
};

bool Minimizer::Try(const Program& candidate, Program* best) {
  if (OutOfBudget() || candidate == *best || !Validate(candidate).empty()) return false;
  checks_++;
  const Outcome o = RunIsolated(kind_, candidate, variants_);
  if (options_.progress && checks_ % 50 == 0) options_.progress(checks_, *best);
  if (!o.finding || o.signature != signature_) return false;
  *best = candidate;
  return true;
}

bool Minimizer::TryRescheduled(Program candidate, Program* best) {
  if (Try(candidate, best)) return true;
  if (candidate.threads.size() < 2) return false;
  const zs_sched::Schedule own = candidate.schedule;
  for (uint64_t k = 0; k <= kRescheduleSeeds && !OutOfBudget(); k++) {
    candidate.schedule = k == 0 ? zs_sched::Schedule::RoundRobin() : zs_sched::Schedule::Random(k);
    if (candidate.schedule == own) continue;
    if (Try(candidate, best)) return true;
  }
  return false;
}

bool Minimizer::DropThreads(Program* best) {
  bool any = false;
  for (size_t t = best->threads.size(); t-- > 0 && best->threads.size() > 1;) {
    Program c = DropOps(*best, [t](size_t thread, size_t) { return thread == t; });
    c.threads.erase(c.threads.begin() + static_cast<long>(t));
    Normalize(&c);
    any |= TryRescheduled(c, best);
  }
  return any;
}

bool Minimizer::DropOpChunks(Program* best) {
  bool any = false;
  auto total = [](const Program& p) {
    size_t n = 0;
    for (const auto& t : p.threads) n += t.size();
    return n;
  };
  for (size_t chunk = std::max<size_t>(1, total(*best) / 2); chunk >= 1; chunk /= 2) {
    // Ops numbered in thread order; try dropping [start, start + chunk), from the end.
    for (size_t start = total(*best); start-- > 0;) {
      if (start % chunk != 0) continue;
      const size_t lo = start, hi = start + chunk;
      const Program c = DropOps(*best, [&, lo, hi](size_t thread, size_t index) {
        size_t flat = index;
        for (size_t t = 0; t < thread; t++) flat += best->threads[t].size();
        return flat >= lo && flat < hi;
      });
      // Single ops get the other schedules too: that is where a fixed
      // interleaving stops the shrinking.
      any |= chunk == 1 ? TryRescheduled(c, best) : Try(c, best);
      if (start > total(*best)) start = total(*best);
    }
    if (chunk == 1) break;
  }
  return any;
}

bool Minimizer::SimplifyArgs(Program* best) {
  bool any = false;
  if (best->chain_size != kDefaultChainSize) {
    Program c = *best;
    c.chain_size = kDefaultChainSize;
    any |= Try(c, best);
  }
  for (size_t t = 0; t < best->threads.size(); t++) {
    for (size_t i = 0; i < best->threads[t].size(); i++) {
      const Op op = best->threads[t][i];
      std::vector<Op> candidates;
      auto with = [&](auto set) {
        Op o = op;
        set(o);
        if (!(o == op)) candidates.push_back(o);
      };
      switch (ArgsOf(op.code)) {
        case OpArgs::kSize:
          for (uint32_t s : {1u, 32u, op.size / 2, op.size & ~15u})
            if (s < op.size) with([s](Op& o) { o.size = s; });
          break;
        case OpArgs::kValue:
          for (uint32_t v : {0u, 1u, op.value / 2})
            if (v < op.value) with([v](Op& o) { o.value = v; });
          break;
        case OpArgs::kSlotPage:
          if (op.page > 0) with([](Op& o) { o.page = 0; });
          break;
        default:
          break;
      }
      for (const Op& o : candidates) {
        Program c = *best;
        c.threads[t][i] = o;
        if (Try(c, best)) {
          any = true;
          break;
        }
      }
    }
  }
  return any;
}

bool Minimizer::SimplifySchedule(Program* best) {
  bool any = false;
  std::vector<uint32_t>& data = best->schedule.data;
  if (!data.empty()) {
    Program c = *best;
    c.schedule.data.clear();
    any |= Try(c, best);
  }
  for (size_t chunk = std::max<size_t>(1, best->schedule.data.size() / 2); !best->schedule.data.empty();
       chunk /= 2) {
    for (size_t start = best->schedule.data.size(); start-- > 0;) {
      if (start % chunk != 0 || start >= best->schedule.data.size()) continue;
      Program c = *best;
      auto& d = c.schedule.data;
      d.erase(d.begin() + static_cast<long>(start),
              d.begin() + static_cast<long>(std::min(d.size(), start + chunk)));
      any |= Try(c, best);
    }
    if (chunk <= 1) break;
  }
  for (size_t i = 0; i < best->schedule.data.size(); i++) {
    if (best->schedule.data[i] == 0) continue;
    Program c = *best;
    c.schedule.data[i] = 0;
    any |= Try(c, best);
  }
  return any;
}

MinimizeResult Minimizer::Run(Program p) {
  Normalize(&p);
  Program best = p;
  for (bool progress = true; progress && !OutOfBudget();) {
    progress = false;
    progress |= DropThreads(&best);
    progress |= DropOpChunks(&best);
    progress |= SimplifySchedule(&best);
    progress |= SimplifyArgs(&best);
  }
  MinimizeResult r;
  r.program = best;
  r.checks = checks_;
  r.budget_exhausted = exhausted_;
  return r;
}

}  // namespace

Outcome RunIsolated(targets::TargetKind kind, const Program& p, const targets::VariantPair& variants) {
  Outcome o;
  int result_pipe[2];
  char err_path[] = "/tmp/zsfuzz-minimize-XXXXXX";
  const int err_fd = mkstemp(err_path);
  if (err_fd < 0 || pipe(result_pipe) != 0) {
    std::fprintf(stderr, "zsfuzz minimize: cannot make a pipe or temp file: %s\n", std::strerror(errno));
    std::exit(2);
  }
  unlink(err_path);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(result_pipe[0]);
    dup2(err_fd, STDERR_FILENO);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    const Verdict v = targets::CheckForTarget(kind, p, variants, /*record_trace=*/false);
    const std::string line = absl::StrFormat("%d %u %s", v.finding ? 1 : 0, v.trace_hash, v.signature);
    (void)!write(result_pipe[1], line.data(), line.size());
    _exit(0);
  }
  close(result_pipe[1]);
  const std::string line = ReadToEnd(result_pipe[0]);
  close(result_pipe[0]);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !line.empty()) {
    int finding = 0;
    unsigned long long hash = 0;
    int consumed = 0;
    if (std::sscanf(line.c_str(), "%d %llu %n", &finding, &hash, &consumed) >= 2) {
      o.finding = finding != 0;
      o.trace_hash = hash;
      o.signature = line.substr(static_cast<size_t>(consumed));
    }
    close(err_fd);
    return o;
  }
  lseek(err_fd, 0, SEEK_SET);
  const std::string err = ReadToEnd(err_fd);
  close(err_fd);
  o.finding = true;
  o.crashed = true;
  o.signature = pid > 0 ? DescribeCrash(status, err).signature : "crash:exit -1";  // -1: fork failed
  return o;
}

Program DropOps(const Program& p, const std::function<bool(size_t thread, size_t index)>& drop) {
  // Which slots lose their malloc: then every op naming them goes too.
  std::set<uint32_t> gone;
  for (size_t t = 0; t < p.threads.size(); t++)
    for (size_t i = 0; i < p.threads[t].size(); i++)
      if (p.threads[t][i].code == OpCode::kMalloc && drop(t, i)) gone.insert(p.threads[t][i].slot);
  Program out = p;
  for (size_t t = 0; t < p.threads.size(); t++) {
    std::vector<Op>& ops = out.threads[t];
    ops.clear();
    for (size_t i = 0; i < p.threads[t].size(); i++) {
      const Op& op = p.threads[t][i];
      if (drop(t, i)) continue;
      const OpArgs args = ArgsOf(op.code);
      if ((args == OpArgs::kSlot || args == OpArgs::kSlotPage) && gone.count(op.slot)) continue;
      ops.push_back(op);
    }
  }
  Normalize(&out);
  return out;
}

ProgramSize SizeOf(const Program& p) {
  ProgramSize s;
  s.threads = p.threads.size();
  for (const auto& t : p.threads) s.ops += t.size();
  s.decisions = p.schedule.data.size();
  return s;
}

MinimizeResult MinimizeProgram(targets::TargetKind kind, const Program& p,
                               const targets::VariantPair& variants, const std::string& signature,
                               const MinimizeOptions& options) {
  return Minimizer(kind, variants, signature, options).Run(p);
}

}  // namespace zsfuzz
