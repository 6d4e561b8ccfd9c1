// The deterministic backend: sched_ops on fibers, and the scheduler loop that drives them.
#include "allocator/kernel/sched/deterministic_backend.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "allocator/kernel/sched/object_names.h"
#include "allocator/kernel/sched/prng.h"
#include "allocator/kernel/sched/report.h"
#include "allocator/kernel/sched/sanitizers.h"
#include "allocator/kernel/sched/scheduler.h"
#include "allocator/kernel/sched/stack_pool.h"
#include "allocator/kernel/sched/vthread.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/workqueue.h"

namespace zs_sched {
namespace internal {

SharedState g_shared;

void Fatal(const char* what) {
  std::fprintf(stderr, "zs_sched: fatal: %s\n", what);
  std::abort();
}

}  // namespace internal

namespace {

using internal::g_shared;
using internal::Request;
using internal::ThreadState;
using internal::VThread;
using internal::WaitKind;
constexpr auto kRelaxed = std::memory_order_relaxed;

class Execution;
// The execution in progress, for the BUG hook and the sanitizer death
// callback (which run on a fiber), and the yield fast path. Set while no
// fiber runs.
std::atomic<Execution*> g_execution{nullptr};
// A yield point's step (defined after Execution, whose fast path it takes).
void YieldStep(VThread* me, const char* site, const void* obj);

VThread* Me() { return g_shared.current.load(kRelaxed); }

// ---- Fiber side -------------------------------------------------------------

[[noreturn]] void ExitFiber(VThread* me, Request why) {
#if ZS_SCHED_TSAN
  // A BUG (or a kill) inside a TsanIgnoreSyncAndReads scope skips its
  // destructor: end its ignores, or TSan reports a thread that exits with
  // ignores enabled.
  for (int n = me->tsan_ignores.exchange(0, kRelaxed); n > 0; n--) {
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  }
#endif
  me->request.store(why, kRelaxed);
  me->fiber.Exit(/*keep_fake_stack=*/why == Request::kExit, &me->done_token);
}

// Hands control to the scheduler; returns when this thread is picked again.
void Park(VThread* me) {
  me->fiber.Suspend();
  if (me->kill.load(kRelaxed)) [[unlikely]]
    ExitFiber(me, Request::kKilled);
}

void Post(VThread* me, Request r, const char* site, const void* obj) {
  me->req_site.store(site, kRelaxed);
  me->req_obj.store(obj, kRelaxed);
  me->request.store(r, kRelaxed);
}

void Block(VThread* me, WaitKind kind, const void* obj, const char* site, unsigned long seq) {
  me->wait_kind.store(kind, kRelaxed);
  me->wait_obj.store(obj, kRelaxed);
  me->wait_site.store(site, kRelaxed);
  me->wait_seq.store(seq, kRelaxed);
  if (kind == WaitKind::kLock)
    g_shared.lock_waiters.store(g_shared.lock_waiters.load(kRelaxed) + 1, kRelaxed);
  SetState(me, ThreadState::kBlocked);
  Post(me, Request::kBlock, site, obj);
  Park(me);
}

VThread* MeOrDie(const char* op) {
  VThread* me = Me();
  if (me == nullptr) [[unlikely]] {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s called outside a virtual thread during a deterministic run", op);
    internal::Fatal(buf);
  }
  return me;
}

[[noreturn]] void FiberMain() {
  VThread* me = Me();
  me->fiber.OnFirstEntry();
  if (me->parent) TsanAcquire(&me->parent->spawn_token);
  me->fn(me->data);
  ExitFiber(me, Request::kExit);
}

// The scheduler's own task, for get_current() outside any virtual thread.
kernel::task_struct g_scheduler_task;

kernel::task_struct* OpCurrent() {
  VThread* me = Me();
  return me ? &me->task : &g_scheduler_task;
}

// True when every live virtual thread but `me` is blocked or exited.
bool AloneRunnable(const VThread* me) {
  const int n = g_shared.nlive.load(kRelaxed);
  for (int i = 0; i < n; i++) {
    const VThread* t = g_shared.live[i].load(kRelaxed);
    if (t != me && t->state.load(kRelaxed) == ThreadState::kRunnable) return false;
  }
  return true;
}

// The yielding thread, once its step is recorded and the schedule picked
// another thread (or the run ends at the step budget): hands over.
[[gnu::noinline]] void SwitchOut() {
  VThread* me = Me();
  me->request.store(Request::kYieldDecided, kRelaxed);
  Park(me);
}

void OpYieldPoint(const char* site, const void* obj) {
  VThread* me = Me();
  if (me == nullptr) return;
  // An oracle's read with nobody else to run: the scheduler would pick this
  // thread again, so the point is no step (OracleSection, runner.h). Most
  // yield points of a run are these, so the step is out of line.
  if (me->quiet.load(kRelaxed)) return;
  YieldStep(me, site, obj);
}

void OpSpinWait(const void* obj, const char* site) {
  // The failed attempt and this call have no yield point between them, so the
  // holder has not released yet: the spin_wake of its unlock will come.
  Block(MeOrDie("spin_wait"), WaitKind::kLock, obj, site, 0);
}

void OpSpinWake(const void* obj) {
  if (g_shared.lock_waiters.load(kRelaxed) == 0) return;
  const int n = g_shared.nlive.load(kRelaxed);
  for (int i = 0; i < n; i++) {
    VThread* t = g_shared.live[i].load(kRelaxed);
    if (t->state.load(kRelaxed) == ThreadState::kBlocked && t->wait_kind.load(kRelaxed) == WaitKind::kLock &&
        t->wait_obj.load(kRelaxed) == obj) {
      t->wait_kind.store(WaitKind::kNone, kRelaxed);
      g_shared.lock_waiters.store(g_shared.lock_waiters.load(kRelaxed) - 1, kRelaxed);
      SetState(t, ThreadState::kRunnable);
    }
  }
}

void OpWqWait(kernel::wait_queue_head* wq, unsigned long seq) {
  VThread* me = MeOrDie("wq_wait");
  if (wq->seq.load(kRelaxed) != seq) return;  // woken between the check and the sleep
  Block(me, WaitKind::kWaitQueue, wq, "wait_event", seq);
}

void OpWqWake(kernel::wait_queue_head* wq) {
  const unsigned long seq = wq->seq.load(kRelaxed);
  const int n = g_shared.nlive.load(kRelaxed);
  for (int i = 0; i < n; i++) {
    VThread* t = g_shared.live[i].load(kRelaxed);
    if (t->state.load(kRelaxed) == ThreadState::kBlocked &&
        t->wait_kind.load(kRelaxed) == WaitKind::kWaitQueue && t->wait_obj.load(kRelaxed) == wq &&
        t->wait_seq.load(kRelaxed) != seq) {
      t->wait_kind.store(WaitKind::kNone, kRelaxed);
      SetState(t, ThreadState::kRunnable);
    }
  }
}

kernel::task_struct* OpKthreadCreate(void (*fn)(void*), void* data, const char* name) {
  VThread* me = MeOrDie("kthread_create");
  // pthread_create's edge: what the creator did so far happens before the child.
  TsanRelease(&me->spawn_token);
  me->new_fn.store(fn, kRelaxed);
  me->new_data.store(data, kRelaxed);
  me->new_name.store(name, kRelaxed);
  Post(me, Request::kCreate, "kthread_create", nullptr);
  Park(me);
  return &me->new_thread.load(kRelaxed)->task;
}

void OpKthreadJoin(kernel::task_struct* task) {
  VThread* me = MeOrDie("kthread_join");
  auto* target = static_cast<VThread*>(task->backend);
  if (target->state.load(kRelaxed) != ThreadState::kExited)
    Block(me, WaitKind::kJoin, target, "kthread_join", 0);
  // pthread_join's edge: everything the target did happens before the join returns.
  TsanAcquire(&target->done_token);
}

constinit const kernel::sched_ops kDeterministicOps = {
    .name = "deterministic",
    .current = OpCurrent,
    .yield_point = OpYieldPoint,
    .spin_wait = OpSpinWait,
    .spin_wake = OpSpinWake,
    .wq_wait = OpWqWait,
    .wq_wake = OpWqWake,
    .kthread_create = OpKthreadCreate,
    .kthread_join = OpKthreadJoin,
    .virtual_time = true,
};

// ---- Scheduler side ---------------------------------------------------------

// Virtual threads are reused across executions (never freed: an abandoned
// fiber may still be named by TSan's history). Scheduler only.
std::vector<VThread*>& FreeThreads() {
  static auto* free = new std::vector<VThread*>;
  return *free;
}

// SetStepObserver's state; read once per execution.
std::atomic<StepObserver> g_step_observer{nullptr};
std::atomic<void*> g_step_observer_ctx{nullptr};

// One recorder for the process keeps its site-hash cache and object table warm.
TraceRecorder& Recorder() {
  static auto* recorder = new TraceRecorder;
  return *recorder;
}

void RootMain(void* arg) {
  (*static_cast<std::function<void()>*>(arg))();
  // Stop the workqueue's worker as a virtual thread, so no kthread outlives
  // the run and the next run (of either backend) starts from a quiet kernel.
  kernel::workqueue_shutdown();
}

class Execution {
 public:
  Execution(const Schedule& schedule, const RunOptions& options, std::function<void()> root)
      : schedule_text_(schedule.ToString()),
        options_(options),
        owned_scheduler_(options.scheduler ? nullptr : MakeScheduler(schedule)),
        scheduler_(options.scheduler ? options.scheduler : owned_scheduler_.get()),
        trace_(Recorder()),
        observer_(g_step_observer.load(kRelaxed)),
        observer_ctx_(g_step_observer_ctx.load(kRelaxed)),
        step_limit_(options.max_steps != 0 ? options.max_steps : UINT64_MAX),
        root_(std::move(root)) {}

  RunResult Run();
  // The yield fast path, on the yielding fiber (YieldStep): true
  // when `me` runs on.
  [[gnu::always_inline]] bool YieldInPlace(VThread* me, const char* site, const void* obj);

  // Called on the failing fiber when the kernel BUGs or a sanitizer reports.
  void PrintTail(const char* what, const VThread* t) const;
  BugAction on_bug() const { return options_.on_bug; }

 private:
  VThread* NewThread(void (*fn)(void*), void* data, const char* name, VThread* parent);
  void RunSlice(VThread* t);
  void Handle(VThread* t);
  // Inline: every step records, and most steps are yields answered in place.
  [[gnu::always_inline]] void Record(VThread* t, StepKind kind, const char* site, const void* obj,
                                     uint64_t value);
  [[gnu::always_inline]] bool PickNext(TaskId* next);
  void RemoveLive(VThread* t);
  std::string BuildReport();
  void Teardown();

  const std::string schedule_text_;
  const RunOptions options_;
  const std::unique_ptr<Scheduler> owned_scheduler_;  // the schedule's, unless RunOptions::scheduler
  Scheduler* const scheduler_;
  TraceRecorder& trace_;
  const StepObserver observer_;
  void* const observer_ctx_;
  const uint64_t step_limit_;  // options_.max_steps, or no limit
  std::function<void()> root_;
  std::vector<VThread*> threads_;  // by id
  std::vector<VThread*> live_;     // not exited, by id
  std::vector<TaskId> runnable_;
  uint64_t runnable_changes_ = 0;  // g_shared.state_changes when runnable_ was built
  TaskId current_ = -1;            // the thread that ran the last step
  TaskId decided_next_ = -1;       // kYieldDecided: the thread the fiber's decision picked
  RunStatus status_ = RunStatus::kFinished;
  uint64_t oracle_steps_ = 0;
  VThread* bug_thread_ = nullptr;
  unsigned long lockdep_base_ = 0;
};

VThread* Execution::NewThread(void (*fn)(void*), void* data, const char* name, VThread* parent) {
  if (live_.size() >= static_cast<size_t>(internal::kMaxLiveThreads))
    internal::Fatal("more than 1024 live virtual threads");
  VThread* t;
  if (FreeThreads().empty()) {
    t = new VThread;
  } else {
    t = FreeThreads().back();
    FreeThreads().pop_back();
  }
  t->id = static_cast<int>(threads_.size());
  std::snprintf(t->name, sizeof t->name, "%s", name);
  std::snprintf(t->fiber_name, sizeof t->fiber_name, "T%d %s", t->id, name);
  t->fn = fn;
  t->data = data;
  t->parent = parent;
  t->task.pid = t->id;
  kernel::set_task_comm(&t->task, name);
  t->task.preempt_count = 0;
  t->task.held.depth = 0;
  t->task.held.off = 0;
  t->task.should_stop.store(false, kRelaxed);
  t->task.backend = t;
  SetState(t, ThreadState::kRunnable);
  t->wait_kind.store(WaitKind::kNone, kRelaxed);
  t->wait_obj.store(nullptr, kRelaxed);
  t->request.store(Request::kNone, kRelaxed);
  t->new_thread.store(nullptr, kRelaxed);
  t->kill.store(false, kRelaxed);
  t->oracle_depth.store(0, kRelaxed);
  t->quiet.store(false, kRelaxed);
  t->tsan_ignores.store(0, kRelaxed);
  t->bug_report.clear();
  t->started = false;
  t->abandoned = false;
  t->fiber.Start(GlobalStackPool().Acquire(options_.stack_size), &FiberMain, t->fiber_name);
  threads_.push_back(t);
  g_shared.live[live_.size()].store(t, kRelaxed);
  live_.push_back(t);
  g_shared.nlive.store(static_cast<int>(live_.size()), kRelaxed);
  return t;
}

void Execution::RemoveLive(VThread* t) {
  size_t i = 0;
  while (live_[i] != t) i++;
  live_.erase(live_.begin() + static_cast<long>(i));
  for (; i < live_.size(); i++) g_shared.live[i].store(live_[i], kRelaxed);
  g_shared.nlive.store(static_cast<int>(live_.size()), kRelaxed);
}

// The top of the scheduler loop: the runnable set (rebuilt only when a
// thread's state changed), the end of the run (no thread runnable, or the
// step budget spent), else the schedule's pick.
bool Execution::PickNext(TaskId* next) {
  const uint64_t changes = g_shared.state_changes.load(kRelaxed);
  if (changes != runnable_changes_) {
    runnable_changes_ = changes;
    runnable_.clear();
    for (VThread* t : live_)
      if (t->state.load(kRelaxed) == ThreadState::kRunnable) runnable_.push_back(t->id);
    // Unchanged, the set is the one the last pick found non-empty.
    if (runnable_.empty()) {
      status_ = live_.empty() ? RunStatus::kFinished : RunStatus::kDeadlock;
      return false;
    }
  }
  if (trace_.steps() >= step_limit_) {
    status_ = RunStatus::kStepBudget;
    return false;
  }
  *next = scheduler_->NextTask(runnable_, current_);
  return true;
}

// A yield handled where it happens: the fiber does what the scheduler would
// do after switching to it (record the step, then the top of the loop), and
// only switches if the schedule picks another thread. The same calls in the
// same order, so the same steps, trace hash and schedule as the slow path,
// for the two context switches and the loop it saves. Not under TSan: there
// the fibers' switches carry no happens-before, so the scheduler's memory
// must only be touched by the scheduler. After the step's calls (the
// observer, the pick) only `this` is needed: `me` is current_, and the
// switch reloads it (SwitchOut), so little is kept in registers across them.
bool Execution::YieldInPlace(VThread* me, const char* site, const void* obj) {
  Record(me, StepKind::kYield, site, obj, 0);
  TaskId next;
  // false: the step budget is spent, which the scheduler finds again at the
  // top of its loop while this thread stays parked, as in the slow path.
  if (!PickNext(&next)) return false;
  if (next == current_) return true;
  decided_next_ = next;
  return false;
}

void Execution::Record(VThread* t, StepKind kind, const char* site, const void* obj, uint64_t value) {
  if (t->oracle_depth.load(kRelaxed) != 0) oracle_steps_++;
  TraceStep& s = trace_.Record(t->id, kind, site, obj, value);
  if (options_.record_trace) [[unlikely]] {
    internal::NameStepWithPfn(&s);
    trace_.KeepLast();
  } else if (s.site_kind != 0) {
    internal::NameLockStep(&s);
  }
  if (observer_ != nullptr) observer_(observer_ctx_, s);
}

// Runs `t` until it stops at a scheduling point; choices are answered in place.
void Execution::RunSlice(VThread* t) {
  g_shared.current.store(t, kRelaxed);
  kernel::internal::current_task.store(&t->task, kRelaxed);
  t->started = true;
  for (;;) {
    t->fiber.Resume();
    if (t->request.load(kRelaxed) != Request::kChoice) break;
    const uint64_t value = scheduler_->NextChoice() % t->req_value.load(kRelaxed);
    Record(t, StepKind::kChoice, "choice", nullptr, value);
    t->req_value.store(value, kRelaxed);
  }
  g_shared.current.store(nullptr, kRelaxed);
  kernel::internal::current_task.store(nullptr, kRelaxed);
}

void Execution::Handle(VThread* t) {
  switch (t->request.load(kRelaxed)) {
    case Request::kYield:
      Record(t, StepKind::kYield, t->req_site.load(kRelaxed), t->req_obj.load(kRelaxed), 0);
      break;
    case Request::kYieldDecided:  // recorded on the fiber already
      break;
    case Request::kBlock:
      if (t->wait_kind.load(kRelaxed) == WaitKind::kJoin) {
        // The joined thread by id: its VThread address means nothing in a trace.
        const auto* target = static_cast<const VThread*>(t->wait_obj.load(kRelaxed));
        Record(t, StepKind::kJoin, "kthread_join", nullptr, static_cast<uint64_t>(target->id));
        break;
      }
      Record(t, StepKind::kBlock, t->req_site.load(kRelaxed), t->req_obj.load(kRelaxed), 0);
      break;
    case Request::kCreate: {
      char name[kernel::TASK_COMM_LEN];
      {
        // The creator's string: no happens-before to the scheduler by design.
        TsanIgnoreReads ignore;
        const char* n = t->new_name.load(kRelaxed);
        std::snprintf(name, sizeof name, "%s", n ? n : "kthread");
      }
      VThread* child = NewThread(t->new_fn.load(kRelaxed), t->new_data.load(kRelaxed), name, t);
      Record(t, StepKind::kCreate, "kthread_create", nullptr, static_cast<uint64_t>(child->id));
      t->new_thread.store(child, kRelaxed);
      break;
    }
    case Request::kExit:
      Record(t, StepKind::kExit, "exit", nullptr, 0);
      SetState(t, ThreadState::kExited);
      RemoveLive(t);
      for (VThread* u : live_) {
        if (u->state.load(kRelaxed) == ThreadState::kBlocked &&
            u->wait_kind.load(kRelaxed) == WaitKind::kJoin && u->wait_obj.load(kRelaxed) == t) {
          u->wait_kind.store(WaitKind::kNone, kRelaxed);
          SetState(u, ThreadState::kRunnable);
        }
      }
      break;
    case Request::kBug:
      TsanAcquire(&t->done_token);  // for bug_report; the run ends here anyway
      SetState(t, ThreadState::kExited);
      t->abandoned = true;
      RemoveLive(t);
      status_ = RunStatus::kBug;
      bug_thread_ = t;
      break;
    case Request::kNone:
    case Request::kChoice:
    case Request::kKilled:
      internal::Fatal("a virtual thread switched to the scheduler without a request");
  }
}

RunResult Execution::Run() {
  trace_.SetClassifier(&internal::ClassifyObject);
  trace_.SetSiteClassifier(&internal::ClassifySite);
  trace_.Reset(options_.record_trace);
  scheduler_->NewExecution();
  lockdep_base_ = kernel::lockdep_report_count();
  g_shared.lock_waiters.store(0, kRelaxed);
  g_execution.store(this, kRelaxed);
  NewThread(&RootMain, &root_, "root", nullptr);
  current_ = -1;
  for (;;) {
    TaskId next;
    if (decided_next_ >= 0) {
      // The yielding fiber recorded its step and asked the scheduler already.
      next = decided_next_;
      decided_next_ = -1;
    } else {
      if (!PickNext(&next)) break;
    }
    if (next < 0 || static_cast<size_t>(next) >= threads_.size() ||
        threads_[next]->state.load(kRelaxed) != ThreadState::kRunnable)
      internal::Fatal("the scheduler picked a task that is not runnable");
    VThread* t = threads_[next];
    if (next != current_) g_shared.switches.store(g_shared.switches.load(kRelaxed) + 1, kRelaxed);
    current_ = next;
    RunSlice(t);
    Handle(t);
    if (status_ == RunStatus::kBug) break;
  }

  RunResult r;
  r.status = status_;
  r.steps = trace_.steps();
  r.oracle_steps = oracle_steps_;
  r.trace_hash = trace_.hash();
  r.threads = static_cast<int>(threads_.size());
  if (status_ != RunStatus::kFinished) r.report = BuildReport();
  if (options_.record_trace) r.trace = std::move(trace_.all());
  Teardown();
  g_execution.store(nullptr, kRelaxed);
  return r;
}

std::string Execution::BuildReport() {
  std::string out;
  char buf[256];
  switch (status_) {
    case RunStatus::kDeadlock:
      std::snprintf(buf, sizeof buf,
                    "zs_sched: deadlock after %" PRIu64 " steps: no runnable virtual thread, %zu blocked\n",
                    trace_.steps(), live_.size());
      out += buf;
      break;
    case RunStatus::kStepBudget:
      std::snprintf(buf, sizeof buf,
                    "zs_sched: step budget of %" PRIu64
                    " steps exhausted (livelock, or a run longer than intended)\n",
                    options_.max_steps);
      out += buf;
      break;
    case RunStatus::kBug:
      std::snprintf(buf, sizeof buf, "zs_sched: BUG in virtual thread T%d \"%s\" at step %" PRIu64 "\n",
                    bug_thread_->id, bug_thread_->name, trace_.steps());
      out += buf;
      out += bug_thread_->bug_report;
      break;
    case RunStatus::kFinished:
      break;
  }
  out += "schedule: " + schedule_text_ + "\n";
  out += "virtual threads:\n" + internal::DescribeThreads(live_, trace_);
  if (status_ == RunStatus::kDeadlock) {
    out += "waits-for graph:\n" + internal::WaitsForGraph(live_, trace_);
    const unsigned long reports = kernel::lockdep_report_count() - lockdep_base_;
    if (reports != 0) {
      std::snprintf(buf, sizeof buf, "lockdep: %lu report(s) during this run%s\n", reports,
                    lockdep_base_ == 0 ? "; the first:" : " (printed above)");
      out += buf;
      if (lockdep_base_ == 0 && kernel::lockdep_first_report()) out += kernel::lockdep_first_report();
    }
  }
  out += "last steps:\n" + internal::TailText(trace_, 50, options_.namer, live_, "  ");
  return out;
}

void Execution::Teardown() {
  // Abandoned threads are resumed once more to exit on the spot: that gives
  // TSan the join edge for everything they did, so reusing their VThread and
  // the scheduler's own memory later is not a false race.
  for (VThread* t : std::vector<VThread*>(live_)) {
    if (!t->started) continue;
    t->kill.store(true, kRelaxed);
    g_shared.current.store(t, kRelaxed);
    kernel::internal::current_task.store(&t->task, kRelaxed);
    t->fiber.Resume();
    g_shared.current.store(nullptr, kRelaxed);
    kernel::internal::current_task.store(nullptr, kRelaxed);
    t->abandoned = true;
  }
  for (VThread* t : threads_) {
    if (t->started) TsanAcquire(&t->done_token);
    t->fiber.Destroy();
    if (t->abandoned)
      GlobalStackPool().Retire(t->fiber.stack());
    else
      GlobalStackPool().Release(t->fiber.stack());
    FreeThreads().push_back(t);
  }
  live_.clear();
  g_shared.nlive.store(0, kRelaxed);
}

void Execution::PrintTail(const char* what, const VThread* t) const {
  // On the failing fiber: the trace and the thread list are the scheduler's,
  // written with no happens-before to any fiber (fiber.h).
  TsanIgnoreReads ignore;
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "zs_sched: the %s above happened in virtual thread T%d \"%s\" at step %" PRIu64
                " of `%s`; last steps:\n",
                what, t->id, t->name, trace_.steps(), schedule_text_.c_str());
  out += buf;
  out += internal::TailText(trace_, 50, options_.namer, live_, "  ");
  // The process may end here (a fatal sanitizer report), so this is where a
  // replay shows it took the same path: the hash of the steps up to the report.
  out += "trace-hash: " + HashHex(trace_.hash()) + " (the steps up to the report)\n";
  std::fputs(out.c_str(), stderr);
}

[[gnu::noinline]] void YieldStep(VThread* me, const char* site, const void* obj) {
  Execution* ex = g_execution.load(kRelaxed);
  if (kTsan || ex == nullptr) {
    Post(me, Request::kYield, site, obj);  // the scheduler records the step
    Park(me);
    return;
  }
  if (!ex->YieldInPlace(me, site, obj)) SwitchOut();
}

void OnKernelBug(const char* report) {
  VThread* me = Me();
  Execution* ex = g_execution.load(kRelaxed);
  if (me == nullptr || ex == nullptr) return;
  if (ex->on_bug() == BugAction::kReturn) {
    me->bug_report = report;
    ExitFiber(me, Request::kBug);
  }
  ex->PrintTail("BUG", me);
}

void OnSanitizerReport() {
  VThread* me = Me();
  Execution* ex = g_execution.load(kRelaxed);
  if (me != nullptr && ex != nullptr) ex->PrintTail("sanitizer report", me);
}

}  // namespace
}  // namespace zs_sched

// ASan, TSan and UBSan call this with the SUMMARY line at the end of every
// report (before a fatal one ends the process). Hooking it rather than the
// sanitizer death callback, which has a single slot, leaves that slot to
// libFuzzer: it saves the crashing input there.
extern "C" void __sanitizer_report_error_summary(const char* error_summary) {
  std::fprintf(stderr, "%s\n", error_summary);
  zs_sched::OnSanitizerReport();
}

namespace zs_sched {

const kernel::sched_ops& DeterministicSchedOps() { return kDeterministicOps; }

namespace internal {

RunResult RunExecution(const Schedule& schedule, const RunOptions& options, std::function<void()> root) {
  kernel::set_bug_report_hook(&OnKernelBug);
  Execution ex(schedule, options, std::move(root));
  RunResult r = ex.Run();
  kernel::set_bug_report_hook(nullptr);
  return r;
}

}  // namespace internal

void SetStepObserver(StepObserver observer, void* ctx) {
  g_step_observer_ctx.store(ctx, kRelaxed);
  g_step_observer.store(observer, kRelaxed);
}

OracleSection::OracleSection() : thread_(Me()) {
  auto* me = static_cast<VThread*>(thread_);
  if (me == nullptr) return;
  // Every other thread blocked now stays blocked while this one reads: only
  // this thread could wake them, and reads wake nobody (a lock it has to wait
  // for blocks it, and the run ends there as a deadlock).
  if (me->oracle_depth.fetch_add(1, kRelaxed) == 0) me->quiet.store(AloneRunnable(me), kRelaxed);
}

OracleSection::~OracleSection() {
  auto* me = static_cast<VThread*>(thread_);
  if (me != nullptr && me->oracle_depth.fetch_sub(1, kRelaxed) == 1) me->quiet.store(false, kRelaxed);
}

void NoteTsanIgnore(int delta) {
  if (VThread* me = Me()) me->tsan_ignores.fetch_add(delta, kRelaxed);
}

int LiveVirtualThreads() { return g_shared.nlive.load(kRelaxed); }

uint64_t ThreadSwitches() { return g_shared.switches.load(kRelaxed); }

int CurrentVirtualThread() {
  const VThread* me = Me();
  return me ? me->id : -1;
}

uint64_t ScheduleChoice(uint64_t bound) {
  if (bound == 0) internal::Fatal("ScheduleChoice(0)");
  if (VThread* me = Me()) {
    me->req_value.store(bound, kRelaxed);
    Post(me, Request::kChoice, "choice", nullptr);
    Park(me);
    return me->req_value.load(kRelaxed);
  }
  thread_local Prng rng(0x5eedULL ^ static_cast<uint64_t>(kernel::get_current()->pid));
  return rng.Below(bound);
}

}  // namespace zs_sched
