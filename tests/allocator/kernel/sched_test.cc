// The scheduler seam: current tasks, kthreads and stopping, wait queues, swapping the backend, might_sleep.
#include <atomic>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::kthread;
using kernel_test::settle;

class SchedTest : public kernel_test::KernelTest {};

TEST_F(SchedTest, EveryThreadHasItsOwnTask) {
  task_struct* me = get_current();
  EXPECT_EQ(get_current(), me);
  EXPECT_GT(me->pid, 0);
  EXPECT_EQ(std::string(me->comm), "task-" + std::to_string(me->pid));
  std::atomic<int> other_pid{0};
  std::thread t([&] { other_pid = get_current()->pid; });
  t.join();
  EXPECT_NE(other_pid.load(), 0);
  EXPECT_NE(other_pid.load(), me->pid);
}

TEST_F(SchedTest, KthreadRunsAsItsTask) {
  std::atomic<task_struct*> seen{nullptr};
  std::string comm;
  kthread t(
      [&] {
        seen = get_current();
        comm = get_current()->comm;
      },
      "kzsd");
  task_struct* task = t.task();
  t.join();
  EXPECT_EQ(seen.load(), task);
  EXPECT_EQ(comm, "kzsd");
}

struct stoppable {
  wait_queue_head wq;
  std::atomic<bool> running{false};
  std::atomic<int> loops{0};
};

void stoppable_fn(void* data) {
  auto* s = static_cast<stoppable*>(data);
  s->running = true;
  while (!kthread_should_stop()) {
    s->loops++;
    wait_event(&s->wq, [] { return kthread_should_stop(); });
  }
}

TEST_F(SchedTest, KthreadStopWakesAndJoins) {
  stoppable s;
  task_struct* task = kthread_run(stoppable_fn, &s, "kstopme");
  EXPECT_TRUE(eventually([&] { return s.running.load(); }));
  settle();
  EXPECT_FALSE(kthread_should_stop());
  kthread_stop(task, &s.wq);  // returns only once the thread has exited
  EXPECT_EQ(s.loops.load(), 1);
}

TEST_F(SchedTest, WaitEventSleepsUntilWokenWithTheCondition) {
  wait_queue_head wq;
  std::atomic<int> value{0};
  std::atomic<bool> woke{false};
  kthread t([&] {
    wait_event(&wq, [&] { return value.load() == 2; });
    woke = true;
  });
  settle();
  value = 1;
  wake_up(&wq);
  settle();
  EXPECT_FALSE(woke.load()) << "woke without the condition";
  value = 2;
  wake_up(&wq);
  t.join();
  EXPECT_TRUE(woke.load());
}

TEST_F(SchedTest, ManyWaitersAllWake) {
  wait_queue_head wq;
  std::atomic<bool> go{false};
  std::atomic<int> woke{0};
  auto waiter = [&] {
    wait_event(&wq, [&] { return go.load(); });
    woke++;
  };
  {
    kthread a(waiter), b(waiter), c(waiter);
    settle();
    go = true;
    wake_up(&wq);
  }
  EXPECT_EQ(woke.load(), 3);
}

std::atomic<int> yields{0};
std::set<std::string>* sites = nullptr;
void recording_yield_point(const char* site, const void*) {
  yields++;
  if (sites) sites->insert(site);
}

TEST_F(SchedTest, BackendCanBeReplaced) {
  EXPECT_STREQ(get_sched_ops().name, "free-running");
  std::set<std::string> seen;
  sites = &seen;
  sched_ops recording = free_running_sched_ops();
  recording.name = "recording";
  recording.yield_point = recording_yield_point;
  set_sched_ops(&recording);
  EXPECT_STREQ(get_sched_ops().name, "recording");
  spinlock_t lock;
  spin_lock_init(&lock);
  spin_lock(&lock);
  spin_unlock(&lock);
  atomic_t counter;
  atomic_inc(&counter);
  cond_resched();
  set_sched_ops(nullptr);
  sites = nullptr;
  EXPECT_STREQ(get_sched_ops().name, "free-running");
  EXPECT_EQ(seen, (std::set<std::string>{"spin_lock", "spin_unlock", "atomic_inc", "cond_resched"}));
  EXPECT_EQ(yields.load(), 4);
}

TEST_F(SchedTest, SetTaskComm) {
  task_struct t;
  set_task_comm(&t, "a-very-long-kernel-thread-name-that-does-not-fit");
  EXPECT_EQ(std::strlen(t.comm), static_cast<size_t>(TASK_COMM_LEN - 1));
}

TEST_F(SchedTest, MightSleepOnlyInAtomicContext) {
  might_sleep();
  rwlock_t lock;
  rwlock_init(&lock);
  EXPECT_DEATH(
      {
        read_lock(&lock);
        might_sleep();
      },
      "BUG: sleeping function called from invalid context");
}

}  // namespace
