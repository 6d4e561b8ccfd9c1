// zs_sched_bench: context switches/s and schedules (executions)/s of the
// deterministic backend, next to the free-running backend on the same
// programs. Prints figures only; no timing is asserted anywhere.
//
//   zs_sched_bench [seconds per figure, default 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "kernel/kernel.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Two virtual threads that do nothing but reach yield points: under round
// robin every step hands the CPU to the other thread.
void PingPongThread(void* arg) {
  const long n = *static_cast<long*>(arg);
  for (long i = 0; i < n; i++) kernel::cond_resched();
}

void PingPong(double seconds) {
  long per_thread = 1 << 16;
  uint64_t steps = 0;
  double elapsed = 0;
  // Grow the run until it takes a measurable time.
  for (;;) {
    const auto start = Clock::now();
    const zs_sched::RunResult r =
        zs_sched::RunDeterministic(zs_sched::Schedule::RoundRobin(), zs_sched::RunOptions{}, [&] {
          kernel::task_struct* t = kernel::kthread_run(PingPongThread, &per_thread, "ping");
          PingPongThread(&per_thread);
          kernel::kthread_stop(t);
        });
    elapsed = Seconds(start);
    steps = r.steps;
    if (elapsed >= seconds || per_thread > (1L << 30)) break;
    per_thread *= 2;
  }
  std::printf(
      "ping-pong, 2 virtual threads, rr:  %6.1f M switches/s  (%.1f ns per switch; each is fiber -> "
      "scheduler -> fiber, %llu steps)\n",
      static_cast<double>(steps) / elapsed / 1e6, elapsed * 1e9 / static_cast<double>(steps),
      static_cast<unsigned long long>(steps));
}

// The lock-heavy program: `threads` threads (root included) each take one
// of two spinlocks 8 times, bump that lock's counter under it and yield.
struct LockHeavy {
  kernel::spinlock_t locks[2];
  long counters[2] = {0, 0};
  int threads;
  LockHeavy(int n) : threads(n) {
    spin_lock_init(&locks[0]);
    spin_lock_init(&locks[1]);
  }
  static void Body(void* arg) {
    auto* self = static_cast<LockHeavy*>(arg);
    for (int i = 0; i < 8; i++) {
      kernel::spin_lock(&self->locks[i & 1]);
      self->counters[i & 1]++;
      kernel::spin_unlock(&self->locks[i & 1]);
      kernel::cond_resched();
    }
  }
  void Run() {
    std::vector<kernel::task_struct*> tasks;
    for (int i = 1; i < threads; i++) tasks.push_back(kernel::kthread_run(&LockHeavy::Body, this, "worker"));
    Body(this);
    for (kernel::task_struct* t : tasks) kernel::kthread_stop(t);
  }
};

void Schedules(int threads, double seconds) {
  uint64_t runs = 0, steps = 0;
  auto start = Clock::now();
  do {
    for (int k = 0; k < 64; k++, runs++) {
      LockHeavy p(threads);
      const zs_sched::RunResult r = zs_sched::RunDeterministic(zs_sched::Schedule::Random(runs),
                                                               zs_sched::RunOptions{}, [&] { p.Run(); });
      if (r.status != zs_sched::RunStatus::kFinished || p.counters[0] + p.counters[1] != 8L * threads) {
        std::fprintf(stderr, "zs_sched_bench: run %llu went wrong: %s\n%s",
                     static_cast<unsigned long long>(runs), zs_sched::RunStatusName(r.status),
                     r.report.c_str());
        std::exit(1);
      }
      steps += r.steps;
    }
  } while (Seconds(start) < seconds);
  const double det = static_cast<double>(runs) / Seconds(start);
  const double steps_per_run = static_cast<double>(steps) / static_cast<double>(runs);

  // The same program on OS threads, for scale.
  uint64_t fr_runs = 0;
  start = Clock::now();
  do {
    for (int k = 0; k < 16; k++, fr_runs++) {
      LockHeavy p(threads);
      zs_sched::RunFreeRunning(zs_sched::RunOptions{}, [&] { p.Run(); });
    }
  } while (Seconds(start) < seconds / 2);
  const double fr = static_cast<double>(fr_runs) / Seconds(start);
  std::printf(
      "lock-heavy, %d threads, random:     %8.0f schedules/s  (%.0f steps each; free-running: %6.0f runs/s, "
      "%.0fx)\n",
      threads, det, steps_per_run, fr, det / fr);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: %s [seconds per figure > 0]\n", argv[0]);
    return 2;
  }
  PingPong(seconds);
  for (int threads : {2, 4, 8}) Schedules(threads, seconds);
  return 0;
}
