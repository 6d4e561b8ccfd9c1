// Thin wrappers over the TSan, ASan and LSan interfaces the scheduler uses;
// each compiles to nothing in a build without that sanitizer.
#pragma once

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ZS_SCHED_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define ZS_SCHED_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define ZS_SCHED_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ZS_SCHED_ASAN 1
#endif

#if ZS_SCHED_TSAN
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/tsan_interface.h>
// Dynamic annotations exported by the TSan runtime (not in its public headers).
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);
#endif
#if ZS_SCHED_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

namespace zs_sched {

inline constexpr bool kTsan =
#if ZS_SCHED_TSAN
    true;
#else
    false;
#endif
inline constexpr bool kAsan =
#if ZS_SCHED_ASAN
    true;
#else
    false;
#endif

// Happens-before edges that TSan should see (join, thread creation).
inline void TsanRelease(void* addr) {
#if ZS_SCHED_TSAN
  __tsan_release(addr);
#else
  (void)addr;
#endif
}
inline void TsanAcquire(void* addr) {
#if ZS_SCHED_TSAN
  __tsan_acquire(addr);
#else
  (void)addr;
#endif
}

// Reads made by the scheduler of memory the fibers wrote (lockdep held stacks,
// lock names) for a report, while every fiber is parked. The fibers' switches
// to the scheduler carry no happens-before (that is what keeps their races
// visible), so without this TSan would flag the report itself.
class TsanIgnoreReads {
 public:
  TsanIgnoreReads() {
#if ZS_SCHED_TSAN
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  }
  ~TsanIgnoreReads() {
#if ZS_SCHED_TSAN
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  }
  TsanIgnoreReads(const TsanIgnoreReads&) = delete;
  TsanIgnoreReads& operator=(const TsanIgnoreReads&) = delete;
};

// A harness's bookkeeping that goes through the allocator's own locks (an
// introspection lookup under pool->lock, say) yet must not order the virtual
// threads: its acquires and releases make no happens-before edge, or TSan
// would stop seeing the races between the threads that the allocator has.
// Its reads are unchecked too: unordered, they race by design with writers.
// A virtual thread that BUGs inside one exits without the destructor: its
// exit ends the ignores still open (NoteTsanIgnore counts them per thread).
void NoteTsanIgnore(int delta);
class TsanIgnoreSyncAndReads {
 public:
  TsanIgnoreSyncAndReads() {
#if ZS_SCHED_TSAN
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    NoteTsanIgnore(+1);
#endif
  }
  ~TsanIgnoreSyncAndReads() {
#if ZS_SCHED_TSAN
    NoteTsanIgnore(-1);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
#endif
  }
  TsanIgnoreSyncAndReads(const TsanIgnoreSyncAndReads&) = delete;
  TsanIgnoreSyncAndReads& operator=(const TsanIgnoreSyncAndReads&) = delete;
};

inline void LsanRegisterRootRegion(const void* p, size_t size) {
#if ZS_SCHED_ASAN
  __lsan_register_root_region(p, size);
#else
  (void)p;
  (void)size;
#endif
}

}  // namespace zs_sched
