// The free-running scheduler backend (real OS threads) and the backend-independent task, wait-queue and
// kthread calls.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "allocator/kernel/src/internal.h"
#include "kernel/bug.h"
#include "kernel/sched.h"

namespace kernel {
namespace {

std::atomic<int> next_pid{0};

// A thread that never went through kthread_create gets this task on first
// use. task_struct is trivially destructible, so the task dies with the thread.
thread_local task_struct implicit_task;
thread_local task_struct* current_task = nullptr;

task_struct* fr_current() {
  if (current_task) [[likely]]
    return current_task;
  implicit_task.pid = next_pid.fetch_add(1, std::memory_order_relaxed) + 1;
  std::snprintf(implicit_task.comm, sizeof(implicit_task.comm), "task-%d", implicit_task.pid);
  current_task = &implicit_task;
  return current_task;
}

void fr_yield_point(const char*, const void*) {}

void fr_spin_wait(const void*, const char*) { std::this_thread::yield(); }

void fr_spin_wake(const void*) {}

struct fr_wait_queue final : wait_queue_backend {
  std::mutex lock;
  std::condition_variable cv;
  // Sleepers between registering and leaving wq_wait; lets wq_wake skip the
  // mutex (and the happens-before edge it would create) when nobody sleeps.
  std::atomic<int> sleepers{0};
};

std::atomic_ref<void*> backend_ref(wait_queue_head* wq) { return std::atomic_ref<void*>(wq->backend); }

fr_wait_queue* fr_wq_get(wait_queue_head* wq) {
  void* b = backend_ref(wq).load(std::memory_order_seq_cst);
  if (b) return static_cast<fr_wait_queue*>(static_cast<wait_queue_backend*>(b));
  auto* fresh = new fr_wait_queue;
  void* expected = nullptr;
  if (backend_ref(wq).compare_exchange_strong(expected, static_cast<wait_queue_backend*>(fresh),
                                              std::memory_order_seq_cst)) {
    return fresh;
  }
  delete fresh;
  return static_cast<fr_wait_queue*>(static_cast<wait_queue_backend*>(expected));
}

// The waker bumps wq->seq (seq_cst) before reading `backend` and `sleepers`;
// the sleeper publishes both before re-reading seq. One of the two always
// sees the other, so no wake-up is lost.
void fr_wq_wait(wait_queue_head* wq, unsigned long seq) {
  fr_wait_queue* b = fr_wq_get(wq);
  std::unique_lock<std::mutex> guard(b->lock);
  b->sleepers.fetch_add(1, std::memory_order_seq_cst);
  while (wq->seq.load(std::memory_order_seq_cst) == seq) b->cv.wait(guard);
  b->sleepers.fetch_sub(1, std::memory_order_relaxed);
}

void fr_wq_wake(wait_queue_head* wq) {
  void* raw = backend_ref(wq).load(std::memory_order_seq_cst);
  if (!raw) return;
  auto* b = static_cast<fr_wait_queue*>(static_cast<wait_queue_backend*>(raw));
  if (b->sleepers.load(std::memory_order_seq_cst) == 0) return;
  // Taking the mutex orders this wake after a sleeper's check-then-wait.
  {
    std::lock_guard<std::mutex> guard(b->lock);
  }
  b->cv.notify_all();
}

struct fr_kthread {
  std::thread thread;
};

task_struct* fr_kthread_create(void (*fn)(void*), void* data, const char* name) {
  auto* task = new task_struct;
  task->pid = next_pid.fetch_add(1, std::memory_order_relaxed) + 1;
  set_task_comm(task, name);
  auto* kt = new fr_kthread;
  task->backend = kt;
  kt->thread = std::thread([task, fn, data] {
    current_task = task;
    fn(data);
    current_task = nullptr;
  });
  return task;
}

void fr_kthread_join(task_struct* task) {
  auto* kt = static_cast<fr_kthread*>(task->backend);
  kt->thread.join();
  delete kt;
  delete task;
}

constinit const sched_ops free_running_ops = {
    .name = "free-running",
    .current = fr_current,
    .yield_point = fr_yield_point,
    .spin_wait = fr_spin_wait,
    .spin_wake = fr_spin_wake,
    .wq_wait = fr_wq_wait,
    .wq_wake = fr_wq_wake,
    .kthread_create = fr_kthread_create,
    .kthread_join = fr_kthread_join,
};

}  // namespace

namespace internal {
constinit std::atomic<const sched_ops*> active_sched_ops{&free_running_ops};
constinit thread_local std::atomic<task_struct*> current_task{nullptr};
}  // namespace internal

const sched_ops& free_running_sched_ops() { return free_running_ops; }

void set_sched_ops(const sched_ops* ops) {
  internal::active_sched_ops.store(ops ? ops : &free_running_ops, std::memory_order_release);
}

void set_task_comm(task_struct* task, const char* name) {
  std::snprintf(task->comm, sizeof(task->comm), "%s", name ? name : "");
}

void __might_sleep(const char* file, int line) {
  const task_struct* t = get_current();
  if (t->preempt_count > 0) [[unlikely]] {
    internal::bug_report(file, line, "sleeping function called from invalid context",
                         "in_atomic(): 1, preempt_count: " + std::to_string(t->preempt_count) + "\n");
  }
}

wait_queue_head::~wait_queue_head() { delete static_cast<wait_queue_backend*>(backend); }

void wake_up(wait_queue_head* wq) {
  wq->seq.fetch_add(1, std::memory_order_seq_cst);
  get_sched_ops().wq_wake(wq);
}

task_struct* kthread_run(void (*fn)(void*), void* data, const char* name) {
  return get_sched_ops().kthread_create(fn, data, name);
}

bool kthread_should_stop() { return get_current()->should_stop.load(std::memory_order_acquire); }

void kthread_stop(task_struct* task, wait_queue_head* wq) {
  task->should_stop.store(true, std::memory_order_release);
  if (wq) wake_up(wq);
  get_sched_ops().kthread_join(task);
}

}  // namespace kernel
