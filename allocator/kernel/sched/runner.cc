// Run / RunDeterministic / RunFreeRunning: install a backend, run, restore.
#include "allocator/kernel/sched/runner.h"

#include <atomic>

#include "allocator/kernel/sched/deterministic_backend.h"
#include "allocator/kernel/sched/vthread.h"
#include "kernel/sched.h"
#include "kernel/workqueue.h"

namespace zs_sched {
namespace {

std::atomic<bool> g_run_active{false};

}  // namespace

const char* RunStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::kFinished:
      return "finished";
    case RunStatus::kDeadlock:
      return "deadlock";
    case RunStatus::kStepBudget:
      return "step-budget";
    case RunStatus::kBug:
      return "BUG";
  }
  return "?";
}

RunResult Run(const Schedule& schedule, const RunOptions& options, std::function<void()> root) {
  if (options.backend == Backend::kFreeRunning) return RunFreeRunning(options, root);
  if (g_run_active.exchange(true))
    internal::Fatal(
        "RunDeterministic while another deterministic run is active (nested, or from two OS threads)");
  // A worker started under the free-running backend is an OS thread: it must
  // be gone before virtual threads take over its wait queues.
  kernel::workqueue_shutdown();
  const kernel::sched_ops* previous = &kernel::get_sched_ops();
  kernel::set_sched_ops(&DeterministicSchedOps());
  RunResult r = internal::RunExecution(schedule, options, std::move(root));
  kernel::set_sched_ops(previous);
  g_run_active.store(false);
  return r;
}

RunResult RunDeterministic(const Schedule& schedule, const RunOptions& options, std::function<void()> root) {
  RunOptions o = options;
  o.backend = Backend::kDeterministic;
  return Run(schedule, o, std::move(root));
}

RunResult RunFreeRunning(const RunOptions& options, const std::function<void()>& root) {
  (void)options;
  root();
  kernel::workqueue_shutdown();  // as the deterministic root does: no worker outlives the run
  RunResult r;
  r.threads = 1;
  return r;
}

std::string FormatTrace(const std::vector<TraceStep>& trace, const ObjectNamer& namer) {
  std::string out;
  for (const TraceStep& s : trace) {
    out += FormatStep(s, namer && s.obj ? namer(s.obj) : std::string());
    out += '\n';
  }
  return out;
}

}  // namespace zs_sched
