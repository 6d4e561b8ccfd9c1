// Fiber switches with the sanitizer fiber hooks (see fiber.h for the TSan scheme).
#include "allocator/kernel/sched/fiber.h"

#include "allocator/kernel/sched/sanitizers.h"

namespace zs_sched {
namespace {

// Where an exiting fiber's final context is saved, never to be resumed. Not
// a local: under ASan's use-after-return mode locals live on the fake stack,
// which the final switch destroys before the asm writes the saved pointer.
void* g_dead_sp;

}  // namespace

void Fiber::Start(FiberStack* stack, ContextEntry entry, const char* name) {
  stack_ = stack;
  sp_ = PrepareContext(stack->top(), entry);
#if ZS_SCHED_TSAN
  tsan_sched_ = __tsan_get_current_fiber();
  tsan_fiber_ = __tsan_create_fiber(0);
  __tsan_set_fiber_name(tsan_fiber_, name);
#else
  (void)name;
#endif
}

void Fiber::Resume() {
#if ZS_SCHED_TSAN
  __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
#if ZS_SCHED_ASAN
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, stack_->bottom, stack_->size);
#endif
  zs_sched_context_switch(&sched_sp_, sp_);
#if ZS_SCHED_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void Fiber::OnFirstEntry() {
#if ZS_SCHED_ASAN
  // Adopt the stack's fake stack (null the first time: ASan makes one lazily).
  __sanitizer_finish_switch_fiber(stack_->fake_stack, &sched_bottom_, &sched_size_);
  stack_->fake_stack = nullptr;
#endif
}

void Fiber::Suspend() {
#if ZS_SCHED_TSAN
  __tsan_switch_to_fiber(tsan_sched_, __tsan_switch_to_fiber_no_sync);
#endif
#if ZS_SCHED_ASAN
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, sched_bottom_, sched_size_);
#endif
  zs_sched_context_switch(&sp_, sched_sp_);
#if ZS_SCHED_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void Fiber::Exit(bool keep_fake_stack, void* done_token) {
  // Read everything needed into locals first: after the release below the
  // scheduler may reuse this object, and TSan would see any later read.
  void* const sched_sp = sched_sp_;
#if ZS_SCHED_ASAN
  void** const fake_stack_save = keep_fake_stack ? &stack_->fake_stack : nullptr;
  const void* const sched_bottom = sched_bottom_;
  const size_t sched_size = sched_size_;
#else
  (void)keep_fake_stack;
#endif
#if ZS_SCHED_TSAN
  void* const tsan_sched = tsan_sched_;
  __tsan_release(done_token);
  __tsan_switch_to_fiber(tsan_sched, __tsan_switch_to_fiber_no_sync);
#else
  (void)done_token;
#endif
#if ZS_SCHED_ASAN
  // nullptr makes ASan destroy the fake stack of a fiber that will not return.
  __sanitizer_start_switch_fiber(fake_stack_save, sched_bottom, sched_size);
#endif
  zs_sched_context_switch(&g_dead_sp, sched_sp);
  __builtin_unreachable();
}

void Fiber::Destroy() {
#if ZS_SCHED_TSAN
  __tsan_destroy_fiber(tsan_fiber_);
  tsan_fiber_ = nullptr;
#endif
}

}  // namespace zs_sched
