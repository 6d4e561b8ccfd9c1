// zs_sched_sanitizer_helper racy|locked|uaf [seed]: sanitizer reports on
// virtual threads, under a deterministic random schedule.
//   racy, locked: two virtual threads bump a plain global without / with a
//     kernel spinlock. In the TSan build racy must be reported as a data race
//     between the two fibers, named, and locked must not.
//   uaf: one virtual thread frees a heap block another then writes. In the
//     ASan build the report must name the writing virtual thread.
// ctest checks these per preset (tests/allocator/kernel/sched/CMakeLists.txt).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "allocator/kernel/sched/runner.h"
#include "kernel/kernel.h"

namespace {

int g_counter;  // plain on purpose: the seeded race
bool g_locked;
kernel::spinlock_t g_lock;
int* g_block;

void Racer(void*) {
  for (int i = 0; i < 3; i++) {
    if (g_locked) kernel::spin_lock(&g_lock);
    g_counter++;
    if (g_locked) kernel::spin_unlock(&g_lock);
    kernel::cond_resched();
  }
}

void Freer(void*) {
  kernel::cond_resched();
  delete g_block;
}

void User(void*) {
  for (int i = 0; i < 5; i++) kernel::cond_resched();
  *g_block = 1;  // after Freer's delete in every schedule that runs both to here
}

}  // namespace

int main(int argc, char** argv) {
  const bool uaf = argc >= 2 && std::strcmp(argv[1], "uaf") == 0;
  if (argc < 2 || (std::strcmp(argv[1], "racy") != 0 && std::strcmp(argv[1], "locked") != 0 && !uaf)) {
    std::fprintf(stderr, "usage: %s racy|locked|uaf [seed]\n", argv[0]);
    return 2;
  }
  g_locked = std::strcmp(argv[1], "locked") == 0;
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  spin_lock_init(&g_lock);
  if (uaf) {
    g_block = new int(0);
    const zs_sched::RunResult r =
        zs_sched::RunDeterministic(zs_sched::Schedule::RoundRobin(), zs_sched::RunOptions{}, [] {
          kernel::task_struct* a = kernel::kthread_run(Freer, nullptr, "freer");
          kernel::task_struct* b = kernel::kthread_run(User, nullptr, "user");
          kernel::kthread_stop(a);
          kernel::kthread_stop(b);
        });
    std::printf("%s steps=%llu\n", zs_sched::RunStatusName(r.status),
                static_cast<unsigned long long>(r.steps));
    return 0;
  }
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
