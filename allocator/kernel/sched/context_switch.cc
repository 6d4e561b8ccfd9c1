// Initial stack layout for a fresh fiber context (the switch is in context_switch.S).
#include "allocator/kernel/sched/context_switch.h"

#include <cstdint>

namespace zs_sched {

void* PrepareContext(void* stack_top, ContextEntry entry) {
  auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
  auto* slot = reinterpret_cast<void**>(top);
  // After `ret` pops the entry, rsp points at the null return address, which
  // sits at top - 8: rsp % 16 == 8, the alignment a function expects at entry.
  *--slot = nullptr;                              // fake return address of the entry
  *--slot = reinterpret_cast<void*>(entry);       // popped by ret
  for (int i = 0; i < 6; i++) *--slot = nullptr;  // r15 r14 r13 r12 rbx rbp (rbp = 0 ends unwinding)
  return static_cast<void*>(slot);
}

}  // namespace zs_sched
