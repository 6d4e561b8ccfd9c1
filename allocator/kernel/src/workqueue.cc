// system_wq: one lazily started worker kthread running queued work items in FIFO order.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "allocator/kernel/src/internal.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"

namespace kernel {
namespace {

lock_class_key wq_lock_key;

struct system_workqueue {
  spinlock_t lock;  // protects `queue` and `worker_alive`
  list_head queue;  // work_struct::entry, FIFO
  std::atomic<int> nr_queued{0};
  bool worker_alive = false;  // a worker runs and will drain `queue`
  wait_queue_head more_work;  // the worker sleeps here
  wait_queue_head work_done;  // flush_work sleeps here
  // The worker to stop and join, and the backend that created it (only that
  // backend can wake and join it).
  std::atomic<task_struct*> worker{nullptr};
  std::atomic<const sched_ops*> worker_ops{nullptr};

  system_workqueue() { reinit(); }
  void reinit() {
    __spin_lock_init(&lock, "&pool->lock", &wq_lock_key);
    INIT_LIST_HEAD(&queue);
    nr_queued.store(0, std::memory_order_relaxed);
    worker_alive = false;
    more_work.seq.store(0, std::memory_order_relaxed);
    work_done.seq.store(0, std::memory_order_relaxed);
  }
};

system_workqueue wq;
std::atomic<bool> atexit_registered{false};

// The work items queued or running, for debug_check_no_work_freed(): only
// their addresses, compared and never read through. An item enters when
// schedule_work() sets its pending flag and leaves when the worker has run it
// and finds it not queued again. Atomics, not wq.lock: kfree() must add no
// scheduler step or lock edge. Racing transitions may drop an item early
// (the check then misses it), never keep a freed one.
constexpr size_t kMaxActiveWork = 16;
std::array<std::atomic<const work_struct*>, kMaxActiveWork> active_work{};
std::atomic<int> nr_active_work{0};

void work_activate(const work_struct* work) {
  for (auto& slot : active_work)
    if (slot.load(std::memory_order_relaxed) == work) return;
  for (auto& slot : active_work) {
    const work_struct* empty = nullptr;
    if (slot.compare_exchange_strong(empty, work, std::memory_order_relaxed)) {
      nr_active_work.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  // More active items than slots: this one goes unchecked.
}

void work_deactivate(const work_struct* work) {
  for (auto& slot : active_work) {
    const work_struct* expected = work;
    if (slot.compare_exchange_strong(expected, nullptr, std::memory_order_relaxed)) {
      nr_active_work.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
  }
}

void worker_fn(void*) {
  for (;;) {
    wait_event(&wq.more_work,
               [] { return wq.nr_queued.load(std::memory_order_acquire) > 0 || kthread_should_stop(); });
    spin_lock(&wq.lock);
    if (list_empty(&wq.queue)) {
      // Stop only with the queue drained; deciding under the lock means a
      // schedule_work that sees worker_alive == false starts a new worker.
      if (kthread_should_stop()) {
        wq.worker_alive = false;
        spin_unlock(&wq.lock);
        return;
      }
      spin_unlock(&wq.lock);
      continue;
    }
    work_struct* work = list_first_entry(&wq.queue, work_struct, entry);
    list_del_init(&work->entry);
    wq.nr_queued.fetch_sub(1, std::memory_order_relaxed);
    // running is set before pending is cleared, so flush_work never sees
    // both false while the item is still to run.
    work->running.store(true, std::memory_order_relaxed);
    work->pending.store(false, std::memory_order_release);
    spin_unlock(&wq.lock);

    work->func(work);

    // Before running goes false: after it, flush_work may return and the
    // owner free the item.
    if (!work->pending.load(std::memory_order_acquire)) work_deactivate(work);
    work->running.store(false, std::memory_order_release);
    wake_up(&wq.work_done);
  }
}

void start_worker() {
  // A relaxed flag, not std::call_once: no happens-before edge between the
  // tasks that happen to start workers.
  if (!atexit_registered.exchange(true, std::memory_order_relaxed)) std::atexit(workqueue_shutdown);
  const sched_ops& ops = get_sched_ops();
  task_struct* task = ops.kthread_create(worker_fn, nullptr, "kworker/0:1");
  // A worker exits only after workqueue_shutdown took it from wq.worker.
  BUG_ON(wq.worker.load(std::memory_order_relaxed) != nullptr);
  wq.worker_ops.store(&ops, std::memory_order_relaxed);
  wq.worker.store(task, std::memory_order_relaxed);
}

}  // namespace

namespace internal {

void workqueue_restart() {
  workqueue_shutdown();
  // No worker now; the queue is drained (a worker stops only then) or was a
  // gone backend's and forgotten. What is left to reset is the bookkeeping.
  wq.reinit();
  for (auto& slot : active_work) slot.store(nullptr, std::memory_order_relaxed);
  nr_active_work.store(0, std::memory_order_relaxed);
}

void debug_check_no_work_freed(const void* obj, size_t size) {
  if (nr_active_work.load(std::memory_order_relaxed) == 0) return;
  const auto lo = reinterpret_cast<uintptr_t>(obj);
  for (const auto& slot : active_work) {
    const auto at = reinterpret_cast<uintptr_t>(slot.load(std::memory_order_relaxed));
    if (at == 0 || at < lo || at - lo >= size) continue;
    bug_report(__FILE__, __LINE__, "ODEBUG: free active object type: work_struct",
               "the work_struct at offset " + std::to_string(at - lo) + " of the freed object is " +
                   "queued or running\n");
  }
}

}  // namespace internal

bool schedule_work(work_struct* work) {
  yield_point("schedule_work", work);
  if (work->pending.exchange(true, std::memory_order_acq_rel)) return false;
  work_activate(work);
  spin_lock(&wq.lock);
  list_add_tail(&work->entry, &wq.queue);
  wq.nr_queued.fetch_add(1, std::memory_order_release);
  const bool need_worker = !wq.worker_alive;
  wq.worker_alive = true;
  spin_unlock(&wq.lock);
  if (need_worker) start_worker();
  wake_up(&wq.more_work);
  return true;
}

bool flush_work(work_struct* work) {
  might_sleep();
  auto idle = [work] {
    return !work->pending.load(std::memory_order_acquire) && !work->running.load(std::memory_order_acquire);
  };
  if (idle()) return false;
  wait_event(&wq.work_done, idle);
  return true;
}

void workqueue_shutdown() {
  task_struct* task = wq.worker.load(std::memory_order_relaxed);
  if (!task) return;
  const sched_ops* ops = wq.worker_ops.load(std::memory_order_relaxed);
  if (ops != &get_sched_ops() && ops != &free_running_sched_ops()) {
    // The worker was a task of a backend that is gone (a deterministic run
    // that ended by abandoning its threads): it cannot be woken or joined
    // from here, and it may have died holding the lock. Forget it and the
    // queue (whose items belonged to that run), and start over.
    wq.worker.store(nullptr, std::memory_order_relaxed);
    wq.worker_ops.store(nullptr, std::memory_order_relaxed);
    wq.reinit();
    return;
  }
  if (!wq.worker.compare_exchange_strong(task, nullptr, std::memory_order_relaxed)) return;
  // kthread_stop, through the backend that created the worker.
  task->should_stop.store(true, std::memory_order_release);
  wq.more_work.seq.fetch_add(1, std::memory_order_seq_cst);
  ops->wq_wake(&wq.more_work);
  ops->kthread_join(task);
}

}  // namespace kernel
