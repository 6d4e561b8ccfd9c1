// A minimal x86-64 System V context switch for fibers (see context_switch.S).
//
// A context is just a saved stack pointer: the switch pushes the callee-saved
// registers (rbp, rbx, r12-r15) on the old stack, stores rsp, loads the new
// rsp, pops the same registers and returns into the new context. It costs a
// few nanoseconds, against ~230 ns for swapcontext, which also does a
// sigprocmask system call (docs/toolchain.md section 4).
//
// The switch does not tell the sanitizers anything; fiber.h wraps it with the
// TSan and ASan fiber hooks.
#pragma once

#include <cstddef>

extern "C" {
// Saves the current context into *save_sp and resumes the one at `to_sp`.
// Returns when some other context switches back to *save_sp.
void zs_sched_context_switch(void** save_sp, void* to_sp);
}

namespace zs_sched {

// The entry of a fresh context. It must never return: there is nothing to
// return to (the fake return address is null), so it ends by switching away.
using ContextEntry = void (*)();

// Lays out a fresh context at the top of a stack and returns its stack
// pointer, to be passed to zs_sched_context_switch: six zeroed callee-saved
// registers, the entry address (popped by `ret`) and a null return address,
// aligned so that the entry starts with rsp % 16 == 8 as after a call.
void* PrepareContext(void* stack_top, ContextEntry entry);

}  // namespace zs_sched
