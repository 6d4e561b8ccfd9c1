// Names for the objects in trace steps and reports ("&class->lock",
// "pfn 0x10003"), found without trusting that an object is still alive.
#pragma once

#include <string>

#include "allocator/kernel/sched/sanitizers.h"
#include "allocator/kernel/sched/trace.h"
#include "kernel/lockdep.h"
#include "kernel/spinlock.h"

namespace zs_sched::internal {

// The PFN of the page whose struct page or 4 KiB frame contains `obj`, or -1.
// Pure address arithmetic against the arena: safe for freed objects.
long PfnOf(const void* obj);

// The trace hash's view of `obj` (trace.h): arena objects keyed by PFN and
// offset (PFNs repeat from a fresh arena), objects in the executable's static
// storage numbered, heap and stack objects unstable.
ObjectIdentity ClassifyObject(const void* obj);

// The trace recorder's site classifier (TraceRecorder::SetSiteClassifier):
// whether a site's object is a spinlock or an rwlock, by the site's text.
uint8_t ClassifySite(const char* site);

// What ClassifySite says a site's object is.
enum class SiteObject : uint8_t { kOther, kSpinlock, kRwlock };

// step->obj_name, a lock step's lockdep name (nothing for other steps).
// Called when the step is recorded: the thread that just reached the yield
// point is using the object (no other thread ran since), so a lock's name may
// be read through it; later the lock may be gone. Inline and cheap enough for
// every step: step->site_kind, from ClassifySite and cached per site by the
// recorder, says what to read.
inline void NameLockStep(TraceStep* step) {
  const auto kind = static_cast<SiteObject>(step->site_kind);
  if (kind == SiteObject::kOther || step->obj == nullptr) return;
  // The name was written by whichever virtual thread initialized the lock;
  // the scheduler reads it without a happens-before edge (see sanitizers.h).
  TsanIgnoreReads ignore;
  const kernel::lockdep_map& map = kind == SiteObject::kSpinlock
                                       ? static_cast<const kernel::spinlock_t*>(step->obj)->dep_map
                                       : static_cast<const kernel::rwlock_t*>(step->obj)->dep_map;
  step->obj_name = map.name;
}

// NameLockStep and step->pfn, for a trace that keeps every step (a lock step
// never has kind kCreate or kChoice).
void NameStepWithPfn(TraceStep* step);

// "&class->lock #4" or "page_lock pfn 0x10003" for a lock some task holds
// (its lockdep map is alive while held).
std::string DescribeHeldLock(const kernel::held_lock& held, uint32_t obj_id);

}  // namespace zs_sched::internal
