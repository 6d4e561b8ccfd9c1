// Object naming for traces: arena PFNs by arithmetic, lock names by yield site.
#include "allocator/kernel/sched/object_names.h"

#include <cstdio>
#include <cstring>

#include "allocator/kernel/sched/sanitizers.h"
#include "kernel/page.h"
#include "kernel/page_alloc.h"
#include "kernel/spinlock.h"

// Bounds of the main executable's image (text, data, bss), from the linker.
extern "C" char __executable_start[];
extern "C" char _end[];

namespace zs_sched::internal {
namespace {

// Where `obj` lies in the page arena: pfn -1 if outside it.
struct ArenaPlace {
  long pfn = -1;
  bool in_frame = false;  // the 4 KiB frame (else the struct page)
  unsigned long offset = 0;
};

ArenaPlace Locate(const void* obj) {
  using kernel::ARENA_BASE_PFN;
  ArenaPlace place;
  if (obj == nullptr || !kernel::pfn_valid(ARENA_BASE_PFN)) return place;
  const auto addr = reinterpret_cast<uintptr_t>(obj);
  kernel::page* first = kernel::pfn_to_page(ARENA_BASE_PFN);
  const auto pages = reinterpret_cast<uintptr_t>(first);
  if (addr >= pages) {
    const unsigned long idx = (addr - pages) / sizeof(kernel::page);
    if (kernel::pfn_valid(ARENA_BASE_PFN + idx)) {
      place.pfn = static_cast<long>(ARENA_BASE_PFN + idx);
      place.offset = (addr - pages) % sizeof(kernel::page);
      return place;
    }
  }
  const auto frames = reinterpret_cast<uintptr_t>(kernel::page_address(first));
  if (addr >= frames) {
    const unsigned long idx = (addr - frames) / kernel::PAGE_SIZE;
    if (kernel::pfn_valid(ARENA_BASE_PFN + idx)) {
      place.pfn = static_cast<long>(ARENA_BASE_PFN + idx);
      place.in_frame = true;
      place.offset = (addr - frames) % kernel::PAGE_SIZE;
    }
  }
  return place;
}

}  // namespace

uint8_t ClassifySite(const char* site) {
  // spinlock.cc passes the lock itself as the object at these sites.
  static const char* const spin_sites[] = {"spin_lock", "spin_trylock", "spin_unlock"};
  static const char* const rw_sites[] = {"read_lock", "read_unlock", "write_lock", "write_unlock"};
  for (const char* s : spin_sites)
    if (std::strcmp(site, s) == 0) return static_cast<uint8_t>(SiteObject::kSpinlock);
  for (const char* s : rw_sites)
    if (std::strcmp(site, s) == 0) return static_cast<uint8_t>(SiteObject::kRwlock);
  return static_cast<uint8_t>(SiteObject::kOther);
}

long PfnOf(const void* obj) { return Locate(obj).pfn; }

ObjectIdentity ClassifyObject(const void* obj) {
  const ArenaPlace place = Locate(obj);
  if (place.pfn >= 0) {
    return ObjectIdentity{ObjectClass::kKeyed, static_cast<uint64_t>(place.pfn) << 13 |
                                                   uint64_t{place.in_frame} << 12 | place.offset};
  }
  const auto* p = static_cast<const char*>(obj);
  if (p >= __executable_start && p < _end) return ObjectIdentity{ObjectClass::kStatic, 0};
  return ObjectIdentity{ObjectClass::kUnstable, 0};
}

void NameStepWithPfn(TraceStep* step) {
  if (step->obj == nullptr || step->kind == StepKind::kCreate || step->kind == StepKind::kChoice) return;
  step->pfn = static_cast<int32_t>(PfnOf(step->obj));
  NameLockStep(step);
}

std::string DescribeHeldLock(const kernel::held_lock& held, uint32_t obj_id) {
  TsanIgnoreReads ignore;
  std::string out = held.name != nullptr ? held.name : "(unnamed)";
  char buf[64];
  if (obj_id != 0) {
    std::snprintf(buf, sizeof buf, " #%u", obj_id);
    out += buf;
  }
  const long pfn = PfnOf(held.instance);
  if (pfn >= 0) {
    std::snprintf(buf, sizeof buf, " pfn 0x%lx", pfn);
    out += buf;
  } else if (obj_id == 0) {
    std::snprintf(buf, sizeof buf, " %p", held.instance);
    out += buf;
  }
  if (held.read) out += " (read)";
  return out;
}

}  // namespace zs_sched::internal
