// work_struct, schedule_work and flush_work on system_wq.
//
// system_wq has one worker, a kernel thread started on the first
// schedule_work(). Pending work is a flag, as in the kernel: scheduling an
// already-pending work item does nothing; the flag is cleared just before the
// function runs, so work scheduled while it runs runs again.
#pragma once

#include <atomic>

#include "kernel/list.h"

namespace kernel {

struct work_struct;
using work_func_t = void (*)(work_struct* work);

struct work_struct {
  std::atomic<bool> pending{false};
  std::atomic<bool> running{false};
  list_head entry;
  work_func_t func = nullptr;
};

inline void INIT_WORK(work_struct* work, work_func_t func) {
  work->pending.store(false, std::memory_order_relaxed);
  work->running.store(false, std::memory_order_relaxed);
  INIT_LIST_HEAD(&work->entry);
  work->func = func;
}

// Returns false if the work was already pending.
bool schedule_work(work_struct* work);
// Waits until the work is neither pending nor running. Returns true if it had to wait.
bool flush_work(work_struct* work);
// Stops system_wq's worker after running what is queued (teardown; it restarts on demand).
void workqueue_shutdown();

}  // namespace kernel
