// Running code on virtual threads: deterministic (one schedule, one
// interleaving) or free-running (real OS threads), behind one API.
//
// A run starts `root` as virtual thread T0. Everything it starts with
// kernel::kthread_run() (workers, the workqueue's kworker, migration or
// compaction actors) becomes another virtual thread, numbered in creation
// order. In deterministic mode exactly one of them runs at a time and control
// changes only at the simulated kernel's yield points (sched.h: yield_point,
// spin_wait, wq_wait, kthread creation and exit); which thread runs next is
// the schedule's decision. Same schedule and same program => same steps, same
// trace hash, on every run and machine.
//
// Example:
//   zs_sched::RunOptions opt;
//   opt.record_trace = true;
//   zs_sched::RunResult r = zs_sched::RunDeterministic(
//       zs_sched::Schedule::Pct(2, 17), opt, [] {
//         kernel::task_struct* t = kernel::kthread_run(Worker, nullptr, "worker");
//         Worker(nullptr);
//         kernel::kthread_stop(t);
//       });
//   printf("%s trace-hash: %s\n", zs_sched::RunStatusName(r.status),
//          zs_sched::HashHex(r.trace_hash).c_str());
//
// NOTE: one run at a time per process (the kernel has one sched_ops table).
// A run that ends in a deadlock, a BUG (with BugAction::kReturn) or the step
// budget abandons its threads where they stand: locks they hold stay held and
// the objects they were using must not be reused.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "allocator/kernel/sched/schedule.h"
#include "allocator/kernel/sched/trace.h"

namespace zs_sched {

enum class Backend { kDeterministic, kFreeRunning };

class Scheduler;

enum class BugAction {
  kAbort,   // print the virtual thread and the last steps, then the kernel aborts
  kReturn,  // abandon the run and return RunStatus::kBug with the report
};

// Names objects in traces and reports, e.g. a class lock's address as
// "class[17]". Called by the scheduler after steps were recorded, so it must
// not dereference `obj` (it may be freed); return "" for "no name".
using ObjectNamer = std::function<std::string(const void* obj)>;

struct RunOptions {
  Backend backend = Backend::kDeterministic;
  // Steps before the run stops with kStepBudget (a livelock, or a run far
  // longer than intended). 0 means no limit.
  uint64_t max_steps = 50'000'000;
  // Keep every step in RunResult::trace (otherwise only the hash and a tail).
  bool record_trace = false;
  BugAction on_bug = BugAction::kAbort;
  size_t stack_size = 256 * 1024;  // per virtual thread
  ObjectNamer namer;
  // Deterministic: decides instead of the schedule's strategy (the caller
  // keeps it alive), for a policy no schedule names, such as the virtual-time
  // one of `zsfuzz bench contention`. The trace and its hash are as usual;
  // the schedule's text then does not replay the run.
  Scheduler* scheduler = nullptr;
};

enum class RunStatus { kFinished, kDeadlock, kStepBudget, kBug };
// "finished", "deadlock", "step-budget", "BUG".
const char* RunStatusName(RunStatus s);

struct RunResult {
  RunStatus status = RunStatus::kFinished;
  uint64_t steps = 0;            // deterministic: trace steps; free-running: 0
  uint64_t oracle_steps = 0;     // of `steps`, those taken inside an OracleSection
  uint64_t trace_hash = 0;       // deterministic only
  int threads = 0;               // virtual threads created, root included
  std::vector<TraceStep> trace;  // every step, with RunOptions::record_trace
  // Deadlock: blocked threads, what they wait for, who holds it, the
  // waits-for graph, lockdep's report; step budget / BUG: the threads and the
  // last steps. Empty when finished.
  std::string report;
};

// Runs `root` and every thread it starts to completion (or failure).
RunResult Run(const Schedule& schedule, const RunOptions& options, std::function<void()> root);
// Run() with options.backend = kDeterministic.
RunResult RunDeterministic(const Schedule& schedule, const RunOptions& options, std::function<void()> root);
// Run() with options.backend = kFreeRunning: `root` runs on the calling
// thread with the kernel's default backend; the schedule is not used.
RunResult RunFreeRunning(const RunOptions& options, const std::function<void()>& root);

// The trace in text form, one step per line (see trace.h), named with `namer`.
std::string FormatTrace(const std::vector<TraceStep>& trace, const ObjectNamer& namer = nullptr);

// From a virtual thread of a deterministic run: a value in [0, bound) chosen
// by the schedule (recorded in the trace, so replay is exact). Elsewhere: a
// per-OS-thread PRNG seeded from the task's pid. bound > 0.
uint64_t ScheduleChoice(uint64_t bound);

// The id of the running virtual thread, or -1 outside a deterministic run.
int CurrentVirtualThread();
// Virtual threads of the deterministic run in progress that have not exited
// (the caller included), or 0 outside one.
int LiveVirtualThreads();
// How many times the running virtual thread changed since the process
// started: equal readings on one thread mean no other virtual thread ran in
// between. 0 outside deterministic runs (there it says nothing).
uint64_t ThreadSwitches();

// Reads that are not the program's, such as an oracle's snapshot at a
// quiescent point, made on a virtual thread of a deterministic run. If no
// other virtual thread is runnable when the (outermost) section opens, the
// thread's yield points are not steps until it closes: the others are blocked
// and only this thread could wake them, so none could run before it blocks;
// no interleaving is lost, and the program's trace does not depend on what
// the oracle reads. A step it does take (another thread was runnable, or a
// lock had to be waited for) counts in RunResult::oracle_steps. Elsewhere (no
// deterministic run, or not on a virtual thread) it does nothing.
//
// Example:
//   { zs_sched::OracleSection quiet; TakeSnapshot(&snap); }
class OracleSection {
 public:
  OracleSection();
  ~OracleSection();
  OracleSection(const OracleSection&) = delete;
  OracleSection& operator=(const OracleSection&) = delete;

 private:
  void* thread_;  // the VThread, or null
};

// A process-wide observer of every step of every deterministic run, called on
// the scheduler's side right after the step is recorded (the fuzz targets turn
// thread-switch pairs of yield sites into coverage). It must not touch the
// virtual threads' memory or start a run. `step.obj` may be freed memory: use
// it as a value only. Unset (nullptr, the default) it costs one branch per
// step. The observer in place when a run starts serves the whole run.
//
// Example:
//   void OnStep(void* ctx, const zs_sched::TraceStep& s) { ++*static_cast<int*>(ctx); }
//   int steps = 0;
//   zs_sched::SetStepObserver(&OnStep, &steps);
using StepObserver = void (*)(void* ctx, const TraceStep& step);
void SetStepObserver(StepObserver observer, void* ctx);

}  // namespace zs_sched
