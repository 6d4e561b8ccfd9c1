// The oracle's entry points (check.h): run both variants, gather every check's
// first failure, keep the earliest, and write the verdict.
#include "oracle/check.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "allocator/kernel/sched/runner.h"
#include "oracle/differential.h"
#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/inflight.h"
#include "oracle/invariants.h"
#include "oracle/linearization.h"
#include "oracle/model.h"
#include "oracle/program/text.h"

namespace zsfuzz {

absl::StatusOr<VariantTraits> TraitsFor(const zs_variant_ops* v) {
  if (v == nullptr) return absl::InvalidArgumentError("no variant to take traits from");
  if (!v->traits.declared) {
    return absl::FailedPreconditionError(
        absl::StrFormat("variant '%s' does not declare its traits (zs_add_variant(... TRAITS ...), "
                        "allocator/variants/CMakeLists.txt), so the oracle cannot bound it",
                        v->name != nullptr ? v->name : "(unnamed)"));
  }
  VariantTraits t;
  t.frees_pages_outside_class_lock = v->traits.frees_pages_outside_class_lock;
  return t;
}

namespace {

using oracle::Failure;
using oracle::Level;

// Steps of a trace excerpt: before an op's first step, and at most in all.
constexpr size_t kStepsBefore = 24;
constexpr size_t kMaxExcerpt = 160;

struct VariantRun {
  const zs_variant_ops* v = nullptr;
  ExecResult exec;
  std::optional<Failure> failure;  // the first of this run's own checks
};

ExecResult Run(const Program& p, const zs_variant_ops* v, const CheckOptions& o, bool sequential, bool trace,
               oracle::InvariantObserver* obs, bool record_class_locks = false) {
  ExecOptions eo;
  eo.record_class_locks = record_class_locks;
  eo.snapshots = sequential;
  eo.free_running = o.free_running;
  eo.ops_done = o.ops_done;
  eo.record_trace = trace;
  eo.max_steps = o.max_steps;
  eo.observer = obs;
  return Execute(p, v, eo);
}

// Whether level 5 runs on a check of `b` against `a`.
bool Linearizes(const CheckOptions& o, bool sequential, const zs_variant_ops* b) {
  return o.linearization && !sequential && !o.free_running && b != nullptr;
}

VariantRun RunAndCheck(const Program& p, const zs_variant_ops* v, const VariantTraits& traits,
                       const CheckOptions& o, bool sequential, bool record_class_locks = false) {
  VariantRun vr;
  vr.v = v;
  oracle::InvariantObserver obs(v->name);
  vr.exec = Run(p, v, o, sequential, o.record_trace, &obs, record_class_locks);
  if (o.on_run) o.on_run(vr.exec);
  oracle::KeepFirst(&vr.failure, oracle::CheckKernel(vr.exec, sequential));
  oracle::KeepFirst(&vr.failure, obs.failure());
  oracle::KeepFirst(&vr.failure, oracle::CheckModel(p, vr.exec, sequential));
  if (!o.free_running) oracle::KeepFirst(&vr.failure, oracle::CheckInflight(p, vr.exec, traits, sequential));
  oracle::KeepFirst(&vr.failure, oracle::CheckTeardown(vr.exec));
  return vr;
}

// The program thread's virtual thread: T0 runs a one-thread program itself;
// otherwise the root starts t0, t1, ... as T1, T2, ... before anything else.
int VirtualThread(int thread, bool sequential) { return sequential ? 0 : thread + 1; }

// The steps around op `op` of `thread` (or the trace's tail), as text.
std::string Excerpt(const std::vector<zs_sched::TraceStep>& trace, const zs_sched::ObjectNamer& namer,
                    const Failure& f, bool sequential, std::string* what) {
  size_t begin = trace.size() > kMaxExcerpt ? trace.size() - kMaxExcerpt : 0, end = trace.size();
  *what = "the last steps";
  if (f.thread >= 0 && f.op >= 0) {
    const int tid = VirtualThread(f.thread, sequential);
    long seen = -1;
    size_t start = trace.size(), stop = trace.size();
    for (size_t k = 0; k < trace.size(); k++) {
      if (trace[k].tid != tid) continue;
      if (start < trace.size() && std::strcmp(trace[k].site, kSnapshotSite) == 0) {
        stop = k;  // the op is over; the snapshot's steps are not its own
        break;
      }
      if (std::strcmp(trace[k].site, kOpStartSite) != 0) continue;
      seen++;
      if (seen == f.op) start = k;
      if (seen == f.op + 1) {
        stop = k;
        break;
      }
    }
    if (start < trace.size()) {
      // Other threads' steps just before the op may matter; one thread's don't.
      begin = !sequential && start > kStepsBefore ? start - kStepsBefore : start;
      end = std::min(stop, begin + kMaxExcerpt);
      *what = absl::StrFormat("t%d op %d, from %u steps before it", f.thread, f.op, start - begin);
    }
  }
  std::vector<zs_sched::TraceStep> part(trace.begin() + static_cast<long>(begin),
                                        trace.begin() + static_cast<long>(end));
  std::string text = zs_sched::FormatTrace(part, namer);
  if (end < trace.size() && f.thread >= 0)
    absl::StrAppendFormat(&text, "... (%u more steps)\n", trace.size() - end);
  return text;
}

std::string ProgramText(const Program& p) {
  if (!Validate(p).empty()) {
    // Not printable as text: a structured dump.
    std::string out = absl::StrFormat("chain %u, %u thread(s), %s\n", p.chain_size, p.threads.size(),
                                      p.schedule.ToString());
    for (size_t t = 0; t < p.threads.size(); t++) {
      absl::StrAppendFormat(&out, "t%u:", t);
      for (const Op& op : p.threads[t]) absl::StrAppend(&out, " ", oracle::OpText(op), ";");
      out += "\n";
    }
    return out;
  }
  return PrintProgram(p);
}

Program AsOneThread(const Program& p) {
  if (p.threads.size() <= 1) return p;
  Program one = p;
  std::vector<Op> all;
  for (const std::vector<Op>& t : p.threads) all.insert(all.end(), t.begin(), t.end());
  one.threads.clear();
  one.threads.push_back(std::move(all));
  return one;
}

// The verdict's fields and its first two lines (the failure, then the check,
// where, the variant and the trace hash), for the run `about`.
Verdict Headline(const std::optional<Failure>& best, const VariantRun& about, const CheckOptions& o,
                 bool sequential, const zs_variant_ops* against) {
  Verdict v;
  v.variant = about.v->name;
  v.trace_hash = about.exec.run.trace_hash;
  if (o.record_trace) v.trace = zs_sched::FormatTrace(about.exec.run.trace, LockNamer(about.exec));
  if (!best) return v;
  const Failure& f = *best;
  v.finding = true;
  v.check = oracle::LevelCheckName(f.level, sequential);
  v.signature = absl::StrCat(v.check, ":", f.field);
  v.message = absl::StrCat(f.headline, "\n");
  absl::StrAppendFormat(
      &v.message, "check: %s, %s; variant %s%s%s\n", v.check, f.where, f.variant,
      against != nullptr && f.level == Level::kDiff ? absl::StrCat(" against ", against->name) : "",
      // Real threads leave no trace to hash.
      o.free_running ? "" : absl::StrCat("; trace-hash ", zs_sched::HashHex(v.trace_hash)));
  return v;
}

// A run's scheduler steps into the verdict's counts (check.h).
void AddSteps(const ExecResult& run, Verdict* v) {
  v->program_steps += run.run.steps - run.run.oracle_steps;
  v->oracle_steps += run.run.oracle_steps;
}

// Level 5 for one direction: `recorded`'s order replayed on `other`. The
// failure, if any; its order goes to *order for the verdict.
std::optional<Failure> ReplayOrder(const Program& p, const VariantRun& recorded, const zs_variant_ops* other,
                                   const CheckOptions& o, Verdict* v, Program* order) {
  oracle::Linearization lin = oracle::Linearize(p, recorded.exec);
  if (!lin.exact()) {
    if (v->not_replayed.empty()) v->not_replayed = absl::StrCat(recorded.v->name, ": ", lin.not_exact);
    return std::nullopt;
  }
  ExecOptions eo;
  eo.snapshots = false;
  eo.counts_only = true;
  eo.max_steps = o.max_steps;
  const ExecResult replayed = Execute(lin.replay, other, eo);
  v->replays++;
  AddSteps(replayed, v);
  std::optional<Failure> f = oracle::CompareReplay(p, recorded.exec, lin, replayed);
  if (f) *order = std::move(lin.replay);
  return f;
}

Verdict Check(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b, const CheckOptions& o,
              bool sequential) {
  absl::StatusOr<VariantTraits> ta = o.traits_a ? *o.traits_a : TraitsFor(a);
  absl::StatusOr<VariantTraits> tb = o.traits_b ? *o.traits_b : b ? TraitsFor(b) : VariantTraits{};
  for (const absl::StatusOr<VariantTraits>* t : {&ta, &tb}) {
    if (!t->ok()) {
      Verdict refused;
      refused.error = std::string(t->status().message());
      return refused;
    }
  }
  const Program p = sequential ? AsOneThread(program) : program;
  const bool linearizes = Linearizes(o, sequential, b);
  VariantRun ra = RunAndCheck(p, a, *ta, o, sequential);
  std::optional<VariantRun> rb;
  std::optional<Failure> best = ra.failure;
  Verdict level5;  // level 5's counts, until the verdict exists
  Program order;   // the order level 5 failed on
  if (b != nullptr) {
    rb = RunAndCheck(p, b, *tb, o, sequential, linearizes);
    oracle::KeepFirst(&best, rb->failure);
    oracle::KeepFirst(&best, sequential ? oracle::CompareSequential(p, ra.exec, rb->exec)
                                        : oracle::CompareConcurrent(p, ra.exec, rb->exec));
    // The variant under test's order, replayed on the reference.
    if (linearizes && !best) best = ReplayOrder(p, *rb, a, o, &level5, &order);
  }

  const VariantRun& about = best && rb && best->variant == rb->v->name ? *rb : rb && !best ? *rb : ra;
  Verdict v = Headline(best, about, o, sequential, b != nullptr ? a : nullptr);
  AddSteps(ra.exec, &v);
  if (rb) AddSteps(rb->exec, &v);
  v.program_steps += level5.program_steps;
  v.oracle_steps += level5.oracle_steps;
  v.replays = level5.replays;
  v.not_replayed = std::move(level5.not_replayed);
  if (!best) return v;
  const Failure& f = *best;
  absl::StrAppend(&v.message, "program",
                  sequential && program.threads.size() > 1 ? " (run as one thread)" : "", ":\n",
                  ProgramText(p));
  if (f.level == Level::kReplay)
    absl::StrAppend(&v.message, "the order replayed (", f.variant,
                    "'s class->lock sections, as one thread):\n", ProgramText(order));
  if (!about.exec.run.report.empty()) {
    absl::StrAppend(&v.message, "scheduler report:\n", about.exec.run.report);
    if (!o.record_trace) v.trace = about.exec.run.report;
    return v;
  }
  // The same program replays exactly: run it again with the trace on.
  std::vector<zs_sched::TraceStep> steps;
  zs_sched::ObjectNamer namer;
  bool replayed = true;
  if (o.record_trace) {
    steps = about.exec.run.trace;
    namer = LockNamer(about.exec);
  } else {
    oracle::InvariantObserver obs(about.v->name);
    ExecResult again = Run(p, about.v, o, sequential, /*trace=*/true, &obs);
    replayed = again.run.trace_hash == about.exec.run.trace_hash;
    steps = std::move(again.run.trace);
    namer = LockNamer(again);
  }
  std::string what;
  const std::string excerpt = Excerpt(steps, namer, f, sequential, &what);
  absl::StrAppendFormat(
      &v.message, "trace of %s (%s)%s:\n", v.variant, what,
      replayed ? "" : ", from a rerun that did not replay exactly (the kernel was not clean)");
  absl::StrAppend(&v.message, excerpt);
  if (!o.record_trace) v.trace = excerpt;
  return v;
}

}  // namespace

Verdict CheckSequential(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                        const CheckOptions& options) {
  return Check(program, a, b, options, /*sequential=*/true);
}

Verdict CheckConcurrent(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                        const CheckOptions& options) {
  return Check(program, a, b, options, /*sequential=*/false);
}

Verdict CheckProgram(const Program& program, const zs_variant_ops* a, const zs_variant_ops* b,
                     const CheckOptions& options) {
  return Check(program, a, b, options, /*sequential=*/program.threads.size() <= 1);
}

VariantCheck CheckVariant(const Program& program, const zs_variant_ops* v, const CheckOptions& options) {
  VariantCheck c;
  absl::StatusOr<VariantTraits> traits = options.traits_a ? *options.traits_a : TraitsFor(v);
  if (!traits.ok()) {
    c.verdict.error = std::string(traits.status().message());
    return c;
  }
  VariantRun run = RunAndCheck(program, v, *traits, options, /*sequential=*/false);
  c.verdict = Headline(run.failure, run, options, /*sequential=*/false, nullptr);
  AddSteps(run.exec, &c.verdict);
  if (!run.exec.run.report.empty())
    absl::StrAppend(&c.verdict.message, "scheduler report:\n", run.exec.run.report);
  c.exec = std::move(run.exec);
  return c;
}

}  // namespace zsfuzz
