// zs_sched_step_cost: one deterministic execution whose steps are all yield
// points of the same kind, for counting what a scheduler step costs.
//
//   zs_sched_step_cost YIELDS THREADS yield|lock SCHEDULE
//
// THREADS virtual threads (the root included) each reach YIELDS yield points:
// cond_resched() (`yield`, no object), or spin_lock() and spin_unlock() of one
// shared lock (`lock`, two steps with an object, through the lock shim and
// lockdep), under SCHEDULE, a schedule's text form ("random seed=1", "rr",
// "pct seed=1"; schedule.h). Prints "steps N". Run under `valgrind --tool=callgrind` with
// YIELDS and 2*YIELDS: the difference in instructions over the difference in
// steps is the cost of one step, start-up and teardown cancelled
// (scripts/bench-targets.sh does this). No timing anywhere.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "kernel/kernel.h"

namespace {

struct Work {
  long yields = 0;
  kernel::spinlock_t* lock = nullptr;  // null: cond_resched
};

void Body(void* arg) {
  const auto* w = static_cast<const Work*>(arg);
  for (long i = 0; i < w->yields; i++) {
    if (w->lock != nullptr) {
      kernel::spin_lock(w->lock);
      kernel::spin_unlock(w->lock);
    } else {
      kernel::cond_resched();
    }
  }
}

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "zs_sched_step_cost: error: %s; usage: zs_sched_step_cost YIELDS THREADS yield|lock "
               "SCHEDULE\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) Usage("four arguments expected");
  char* end = nullptr;
  const long yields = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || yields < 1) Usage(std::string("YIELDS '") + argv[1] + "' is not a positive number");
  const long threads = std::strtol(argv[2], &end, 10);
  if (*end != '\0' || threads < 1 || threads > 64)
    Usage(std::string("THREADS '") + argv[2] + "' is not 1..64");
  const bool lock = std::strcmp(argv[3], "lock") == 0;
  if (!lock && std::strcmp(argv[3], "yield") != 0)
    Usage(std::string("'") + argv[3] + "' is not yield or lock");
  std::string error;
  const std::optional<zs_sched::Schedule> schedule = zs_sched::Schedule::Parse(argv[4], &error);
  if (!schedule) Usage(error);

  kernel::spinlock_t the_lock;
  spin_lock_init(&the_lock);
  Work work{yields, lock ? &the_lock : nullptr};
  const zs_sched::RunResult r = zs_sched::RunDeterministic(*schedule, zs_sched::RunOptions{}, [&] {
    std::vector<kernel::task_struct*> others;
    for (long i = 1; i < threads; i++) others.push_back(kernel::kthread_run(Body, &work, "yielder"));
    Body(&work);
    for (kernel::task_struct* t : others) kernel::kthread_stop(t);
  });
  if (r.status != zs_sched::RunStatus::kFinished) {
    std::fprintf(stderr, "zs_sched_step_cost: the run ended %s\n%s", zs_sched::RunStatusName(r.status),
                 r.report.c_str());
    return 1;
  }
  std::printf("steps %llu\n", static_cast<unsigned long long>(r.steps));
  return 0;
}
