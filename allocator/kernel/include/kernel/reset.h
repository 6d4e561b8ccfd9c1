// kernel_reset(): the simulated kernel as a freshly started process has it,
// so that what one run did (or left behind when it was abandoned) cannot
// change what the next run sees.
//
// Not a Linux API: a simulated kernel can be rebooted in place. Afterwards
//  - every page of the arena is free and as new (flags, refcount, page type,
//    movable ops, page lock, contents poisoned), pages an abandoned run still
//    held included, and PFNs are handed out from ARENA_BASE_PFN again;
//  - every zone counter is as at boot (NR_ZSPAGES 0, NR_FREE_PAGES the arena);
//  - every kmem_cache has an empty quarantine, no active objects and its lock
//    unlocked (the caches stay, as a loaded module's would);
//  - the workqueue has no worker and no work; lockdep has no class, no edge
//    and no report; the WARN count is 0; no BUG report counts as open;
//  - page and slab fault injection and zone pressure are off.
// What stays: the arena's size and memory (page_arena_init), the printk level
// and the BUG report hook (the harness's settings), the free-running
// backend's pid counter (tasks alive now keep their pids), shrinkers (there
// is no shrinker list: a shrinker is its owner's) and any state outside the
// kernel, which kernel_generation() tells about the reset.
//
// Whatever a run abandoned (a pool after a BUG, its objects, its pages) is
// never to be touched again: its pages now belong to the next run. Heap
// objects that only such a page named stay reachable, so LeakSanitizer does
// not take an abandoned run's objects for a leak.
//
// Call it with no task inside the kernel: not while the deterministic
// scheduler (allocator/kernel/sched) runs, which is a BUG here, nor while
// another thread may call into the kernel, nor holding a simulated lock.
//
// Example (the executor, before every run):
//   kernel::kernel_reset();
//   zs_pool* pool = v->create_pool("zsfuzz-exec", chain_size);
#pragma once

namespace kernel {

void kernel_reset();

// How many kernel_reset()s this process has done. State kept outside the
// kernel about kernel objects (a zsmalloc variant's count of live pools)
// compares it with the value it recorded: a different one means the objects
// belong to a kernel that is gone.
unsigned long kernel_generation();

}  // namespace kernel
