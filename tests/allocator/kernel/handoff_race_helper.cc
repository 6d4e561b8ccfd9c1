// TSan check (tsan preset, run by ctest): the simulator's slab-cache and zone
// locks add no happens-before edge between tasks, and the memory they pass on
// keeps the one edge it has in the kernel.
//
//   race     Two threads touch `shared` without synchronization; in between,
//            each frees an object to the same kmem_cache and allocates a page.
//            Nothing else orders them, so TSan must report the race (before,
//            the cache's and the zone's lock each ordered them).
//   handoff  A page and a slab object written by one thread, freed, and then
//            reused (the page) or returned to malloc (the object, evicted
//            from the quarantine by the other thread's frees) by the other:
//            the free happens before the reuse, so TSan must report nothing.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "kernel/kernel.h"

namespace {

long shared;                // the racy variable
std::atomic<int> phase{0};  // relaxed only: orders nothing for TSan

void wait_for_writer() {
  while (phase.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
}

int race() {
  kernel::kmem_cache* cache = kernel::kmem_cache_create("handoff_race", 64, 8, 0, nullptr);
  void* first = kernel::kmem_cache_alloc(cache, kernel::GFP_KERNEL);
  void* second = kernel::kmem_cache_alloc(cache, kernel::GFP_KERNEL);
  kernel::page* pages[2] = {nullptr, nullptr};
  std::thread writer([&] {
    shared = 1;
    kernel::kmem_cache_free(cache, first);
    pages[0] = kernel::alloc_page(kernel::GFP_KERNEL);
    phase.store(1, std::memory_order_relaxed);
  });
  std::thread reader([&] {
    wait_for_writer();
    kernel::kmem_cache_free(cache, second);
    pages[1] = kernel::alloc_page(kernel::GFP_KERNEL);
    std::printf("shared=%ld\n", shared);
  });
  writer.join();
  reader.join();
  for (kernel::page* p : pages) kernel::__free_page(p);
  kernel::kmem_cache_destroy(cache);
  return 0;
}

int handoff() {
  kernel::kmem_cache* cache = kernel::kmem_cache_create("handoff_reuse", 64, 8, 0, nullptr);
  // The reader's own objects: freeing them all evicts the writer's object.
  std::vector<void*> fillers(kernel::SLAB_QUARANTINE_OBJECTS);
  for (void*& obj : fillers) obj = kernel::kmem_cache_alloc(cache, kernel::GFP_KERNEL);
  kernel::page* reused = nullptr;
  kernel::page* written = nullptr;
  std::thread writer([&] {
    written = kernel::alloc_page(kernel::GFP_KERNEL);
    std::memset(kernel::page_address(written), 0x5a, kernel::PAGE_SIZE);
    kernel::__free_page(written);
    void* obj = kernel::kmem_cache_alloc(cache, kernel::GFP_KERNEL);
    std::memset(obj, 0x5a, 64);
    kernel::kmem_cache_free(cache, obj);
    phase.store(1, std::memory_order_relaxed);
  });
  std::thread reader([&] {
    wait_for_writer();
    reused = kernel::alloc_page(kernel::GFP_KERNEL);  // the writer's page: the only one freed
    std::memset(kernel::page_address(reused), 0xa5, kernel::PAGE_SIZE);
    for (void* obj : fillers) kernel::kmem_cache_free(cache, obj);
  });
  writer.join();
  reader.join();
  std::printf("handoff: the reader reused the writer's page: %s\n", reused == written ? "yes" : "no");
  kernel::__free_page(reused);
  kernel::kmem_cache_destroy(cache);
  return reused == written ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 2 ? argv[1] : "";
  // The arena is mapped on first use, behind an acquire/release flag that
  // would order the threads: map it before they start.
  kernel::page_arena_init(64);
  if (mode == "race") return race();
  if (mode == "handoff") return handoff();
  std::fprintf(stderr, "usage: %s race|handoff\n", argv[0]);
  return 2;
}
