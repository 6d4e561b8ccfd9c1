// system_wq: pending semantics, flush waiting for running work, rescheduling while running, shutdown and
// restart; debugobjects' check that no queued or running work item is freed.
#include <atomic>
#include <new>
#include <thread>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::eventually;
using kernel_test::settle;

class WorkqueueTest : public kernel_test::KernelTest {};

// A work item that counts its runs and can be held inside its function.
struct test_work {
  work_struct work;  // first member: the work function casts back
  std::atomic<int> runs{0};
  std::atomic<int> started{0};
  std::atomic<bool> gate_open{true};
  std::atomic<int> worker_pid{0};

  test_work() { INIT_WORK(&work, fn); }

  static void fn(work_struct* w) {
    auto* self = reinterpret_cast<test_work*>(w);
    self->worker_pid = get_current()->pid;
    self->started++;
    while (!self->gate_open.load()) std::this_thread::yield();
    self->runs++;
  }
};

TEST_F(WorkqueueTest, ScheduledWorkRunsOnTheWorker) {
  test_work w;
  EXPECT_TRUE(schedule_work(&w.work));
  flush_work(&w.work);
  EXPECT_EQ(w.runs.load(), 1);
  EXPECT_NE(w.worker_pid.load(), get_current()->pid) << "runs on the worker kthread";
  EXPECT_FALSE(w.work.pending.load());
  EXPECT_FALSE(w.work.running.load());
}

TEST_F(WorkqueueTest, SchedulingAPendingWorkRunsItOnce) {
  test_work blocker, w;
  blocker.gate_open = false;
  ASSERT_TRUE(schedule_work(&blocker.work));
  EXPECT_TRUE(eventually([&] { return blocker.started.load() == 1; }));
  // The only worker is busy, so w stays pending.
  EXPECT_TRUE(schedule_work(&w.work));
  EXPECT_FALSE(schedule_work(&w.work)) << "already pending";
  EXPECT_TRUE(w.work.pending.load());
  blocker.gate_open = true;
  EXPECT_TRUE(flush_work(&w.work));
  EXPECT_EQ(w.runs.load(), 1);
  flush_work(&blocker.work);
}

TEST_F(WorkqueueTest, FlushWaitsForRunningWork) {
  test_work w;
  w.gate_open = false;
  ASSERT_TRUE(schedule_work(&w.work));
  EXPECT_TRUE(eventually([&] { return w.started.load() == 1; }));
  EXPECT_TRUE(w.work.running.load());
  EXPECT_FALSE(w.work.pending.load()) << "pending is cleared before the function runs";
  std::atomic<bool> flushed{false};
  std::thread flusher([&] {
    flush_work(&w.work);
    flushed = true;
  });
  settle();
  EXPECT_FALSE(flushed.load()) << "flush_work returned while the work was running";
  w.gate_open = true;
  flusher.join();
  EXPECT_TRUE(flushed.load());
  EXPECT_EQ(w.runs.load(), 1);
}

TEST_F(WorkqueueTest, RescheduledWhileRunningRunsAgain) {
  test_work w;
  w.gate_open = false;
  ASSERT_TRUE(schedule_work(&w.work));
  EXPECT_TRUE(eventually([&] { return w.started.load() == 1; }));
  EXPECT_TRUE(schedule_work(&w.work)) << "not pending any more while it runs";
  w.gate_open = true;
  flush_work(&w.work);
  EXPECT_EQ(w.runs.load(), 2);
}

TEST_F(WorkqueueTest, FlushOfIdleWorkReturnsAtOnce) {
  test_work w;
  EXPECT_FALSE(flush_work(&w.work));
  schedule_work(&w.work);
  flush_work(&w.work);
  EXPECT_FALSE(flush_work(&w.work));
}

TEST_F(WorkqueueTest, ManyItemsRunInOrder) {
  constexpr int kItems = 64;
  static std::atomic<int> next_seq;
  static int order[kItems];
  struct seq_work {
    work_struct work;
    int id;
  };
  next_seq = 0;
  static seq_work items[kItems];
  for (int i = 0; i < kItems; i++) {
    items[i].id = i;
    INIT_WORK(&items[i].work,
              [](work_struct* w) { order[next_seq.fetch_add(1)] = reinterpret_cast<seq_work*>(w)->id; });
  }
  for (auto& item : items) schedule_work(&item.work);
  for (auto& item : items) flush_work(&item.work);
  ASSERT_EQ(next_seq.load(), kItems);
  for (int i = 0; i < kItems; i++) EXPECT_EQ(order[i], i);
}

TEST_F(WorkqueueTest, ShutdownDrainsAndRestartsOnDemand) {
  test_work w;
  w.gate_open = false;
  schedule_work(&w.work);
  EXPECT_TRUE(eventually([&] { return w.started.load() == 1; }));
  test_work queued;
  schedule_work(&queued.work);
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    w.gate_open = true;
  });
  workqueue_shutdown();
  opener.join();
  EXPECT_EQ(w.runs.load(), 1);
  EXPECT_EQ(queued.runs.load(), 1) << "shutdown runs what is queued first";
  const int old_worker = w.worker_pid.load();
  test_work after;
  EXPECT_TRUE(schedule_work(&after.work));
  flush_work(&after.work);
  EXPECT_EQ(after.runs.load(), 1);
  EXPECT_NE(after.worker_pid.load(), old_worker) << "a new worker";
  workqueue_shutdown();
  workqueue_shutdown();  // idempotent
}

TEST_F(WorkqueueTest, FlushInAtomicContextIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  test_work w;
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        flush_work(&w.work);
      },
      "sleeping function called from invalid context");
}

TEST_F(WorkqueueTest, ScheduleFromAtomicContext) {
  spinlock_t lock;
  spin_lock_init(&lock);
  test_work w;
  spin_lock(&lock);
  EXPECT_TRUE(schedule_work(&w.work));
  spin_unlock(&lock);
  flush_work(&w.work);
  EXPECT_EQ(w.runs.load(), 1);
}

// What zs_destroy_pool without its flush does: kfree of the object that holds
// a queued work item (CONFIG_DEBUG_OBJECTS_WORK's free check).
struct work_owner {
  long before = 0;
  test_work item;
};

TEST_F(WorkqueueTest, FreeingAQueuedWorkIsABug) {
  EXPECT_DEATH(
      {
        test_work blocker;
        blocker.gate_open = false;
        schedule_work(&blocker.work);  // keeps the worker busy, so the next item stays queued
        auto* owner = new (kzalloc(sizeof(work_owner), GFP_KERNEL)) work_owner;
        schedule_work(&owner->item.work);
        kfree(owner);
      },
      "BUG: ODEBUG: free active object type: work_struct.*\n.*the work_struct at offset 8 of the freed "
      "object "
      "is queued or running");
}

TEST_F(WorkqueueTest, FreeingARunningWorkIsABug) {
  EXPECT_DEATH(
      {
        auto* owner = new (kzalloc(sizeof(work_owner), GFP_KERNEL)) work_owner;
        owner->item.gate_open = false;
        schedule_work(&owner->item.work);
        while (owner->item.started.load() == 0) std::this_thread::yield();
        kfree(owner);
      },
      "BUG: ODEBUG: free active object type: work_struct");
}

TEST_F(WorkqueueTest, FreeingAFlushedWorkIsNot) {
  for (int i = 0; i < 3; i++) {
    auto* owner = new (kzalloc(sizeof(work_owner), GFP_KERNEL)) work_owner;
    ASSERT_TRUE(schedule_work(&owner->item.work));
    flush_work(&owner->item.work);
    EXPECT_EQ(owner->item.runs.load(), 1);
    owner->~work_owner();
    kfree(owner);  // no BUG: the item left the active set when it ran
  }
  // Another object freed while an item is queued is not the item's.
  test_work blocker, queued;
  blocker.gate_open = false;
  ASSERT_TRUE(schedule_work(&blocker.work));
  ASSERT_TRUE(schedule_work(&queued.work));
  kfree(kzalloc(64, GFP_KERNEL));
  blocker.gate_open = true;
  flush_work(&queued.work);
  flush_work(&blocker.work);
}

}  // namespace
