// The deterministic sched_ops backend: virtual threads as fibers on the
// calling OS thread, one running at a time, switched only at yield points.
//
// A blocked thread (spin_wait on a held lock, wq_wait, kthread_join) is not
// runnable until woken (spin_wake on that lock, wq_wake after the queue's
// sequence moved, the target's exit): spinning is modelled as blocking, never
// as burnt steps. runner.h is the public entry point; this header is for code
// that needs the ops table itself.
#pragma once

#include <functional>

#include "allocator/kernel/sched/runner.h"
#include "kernel/sched.h"

namespace zs_sched {

// The table RunDeterministic() installs with kernel::set_sched_ops().
const kernel::sched_ops& DeterministicSchedOps();

namespace internal {
// One deterministic execution on the calling thread (ops already installed).
RunResult RunExecution(const Schedule& schedule, const RunOptions& options, std::function<void()> root);
}  // namespace internal

}  // namespace zs_sched
