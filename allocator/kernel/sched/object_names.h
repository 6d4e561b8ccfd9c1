// Names for the objects in trace steps and reports ("&class->lock",
// "pfn 0x10003"), found without trusting that an object is still alive.
#pragma once

#include <string>

#include "kernel/lockdep.h"
#include "sched/trace.h"

namespace zs_sched::internal {

// The PFN of the page whose struct page or 4 KiB frame contains `obj`, or -1.
// Pure address arithmetic against the arena: safe for freed objects.
long PfnOf(const void* obj);

// Fills step->obj_name and step->pfn. Call when the step is recorded: then
// the thread that reached the yield point is using the object, so a lock's
// lockdep name may be read through it.
void NameStepAtRecord(TraceStep* step);

// "&class->lock #4" or "page_lock pfn 0x10003" for a lock some task holds
// (its lockdep map is alive while held).
std::string DescribeHeldLock(const kernel::held_lock& held, uint32_t obj_id);

}  // namespace zs_sched::internal
