// mmap'd fiber stacks with a PROT_NONE guard page, kept in a free list.
#include "allocator/kernel/sched/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "allocator/kernel/sched/sanitizers.h"

namespace zs_sched {

FiberStack* StackPool::Acquire(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size = (size + page - 1) / page * page;
  for (size_t i = free_.size(); i-- > 0;) {
    if (free_[i]->size != size) continue;
    FiberStack* s = free_[i];
    free_[i] = free_.back();
    free_.pop_back();
    return s;
  }
  const size_t map_size = size + page;
  // MAP_NORESERVE: only the pages a fiber touches are ever backed.
  void* map =
      mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map == MAP_FAILED) {
    std::perror("zs_sched: mmap of a fiber stack");
    std::abort();
  }
  if (mprotect(map, page, PROT_NONE) != 0) {
    std::perror("zs_sched: mprotect of a fiber stack guard page");
    std::abort();
  }
  mapped_ += map_size;
  auto* s = new FiberStack;
  s->map = map;
  s->map_size = map_size;
  s->bottom = static_cast<char*>(map) + page;
  s->size = size;
  return s;
}

void StackPool::Release(FiberStack* stack) { free_.push_back(stack); }

void StackPool::Retire(FiberStack* stack) {
  // Kept mapped on purpose (see the header).
  LsanRegisterRootRegion(stack->bottom, stack->size);
  retired_.push_back(stack);
}

StackPool& GlobalStackPool() {
  static StackPool* pool = new StackPool;  // never destroyed: stacks outlive every run
  return *pool;
}

}  // namespace zs_sched
