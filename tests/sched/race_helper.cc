// zs_sched_race_helper racy|locked [seed]: two virtual threads bump a plain
// global, without (racy) or with (locked) a kernel spinlock, under a
// deterministic random schedule. In the TSan build the racy mode must be
// reported as a data race between the two fibers and the locked mode must
// not; ctest checks both (tests/sched/CMakeLists.txt).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernel/kernel.h"
#include "sched/runner.h"

namespace {

int g_counter;  // plain on purpose: the seeded race
bool g_locked;
kernel::spinlock_t g_lock;

void Racer(void*) {
  for (int i = 0; i < 3; i++) {
    if (g_locked) kernel::spin_lock(&g_lock);
    g_counter++;
    if (g_locked) kernel::spin_unlock(&g_lock);
    kernel::cond_resched();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || (std::strcmp(argv[1], "racy") != 0 && std::strcmp(argv[1], "locked") != 0)) {
    std::fprintf(stderr, "usage: %s racy|locked [seed]\n", argv[0]);
    return 2;
  }
  g_locked = std::strcmp(argv[1], "locked") == 0;
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  spin_lock_init(&g_lock);
  const zs_sched::RunResult r =
      zs_sched::RunDeterministic(zs_sched::Schedule::Random(seed), zs_sched::RunOptions{}, [] {
        kernel::task_struct* a = kernel::kthread_run(Racer, nullptr, "racer-a");
        kernel::task_struct* b = kernel::kthread_run(Racer, nullptr, "racer-b");
        kernel::kthread_stop(a);
        kernel::kthread_stop(b);
      });
  std::printf("%s counter=%d steps=%llu trace-hash: %s\n", zs_sched::RunStatusName(r.status), g_counter,
              static_cast<unsigned long long>(r.steps), zs_sched::HashHex(r.trace_hash).c_str());
  return r.status == zs_sched::RunStatus::kFinished && g_counter == 6 ? 0 : 1;
}
