// kernel_reset(): every subsystem back to its state at process start (reset.h).
#include "kernel/reset.h"

#include <atomic>

#include "allocator/kernel/src/internal.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/sched.h"

namespace kernel {
namespace {

std::atomic<unsigned long> generation{0};

}  // namespace

void kernel_reset() {
  // A deterministic run's tasks are fibers of this thread: resetting under
  // them would pull their locks and pages away mid-operation.
  if (&get_sched_ops() != &free_running_sched_ops())
    kernel_bug(__FILE__, __LINE__, "kernel_reset while a scheduler backend is installed");
  // The worker first: it is the one task that may still run kernel code.
  internal::workqueue_restart();
  internal::page_alloc_restart();
  internal::slab_restart();
  lockdep_reset();
  internal::bug_restart();
  generation.fetch_add(1, std::memory_order_relaxed);
}

unsigned long kernel_generation() { return generation.load(std::memory_order_relaxed); }

}  // namespace kernel
