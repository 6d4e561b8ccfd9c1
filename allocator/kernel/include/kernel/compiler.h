// READ_ONCE / WRITE_ONCE: marked accesses.
//
// The kernel's READ_ONCE/WRITE_ONCE are volatile accesses that KCSAN treats as
// marked, i.e. not data races with each other. Here they are relaxed atomic
// accesses, which TSan treats the same way, while plain C++ accesses to the
// same word stay visible to TSan as races. This distinction is what lets a
// faithful port of RFC v2 (plain lockless handle load) report the race that
// v4 fixed (zsmalloc-reference.md 5.3).
#pragma once

#include <atomic>
#include <type_traits>

namespace kernel::detail {

template <typename T>
T read_once(const T& x) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(long));
  return std::atomic_ref<T>(const_cast<T&>(x)).load(std::memory_order_relaxed);
}

template <typename T, typename V>
void write_once(T& x, V v) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(long));
  std::atomic_ref<T>(x).store(static_cast<T>(v), std::memory_order_relaxed);
}

}  // namespace kernel::detail

#define READ_ONCE(x) (::kernel::detail::read_once(x))
#define WRITE_ONCE(x, v) (::kernel::detail::write_once((x), (v)))

// data_race(expr): the kernel's marker for an intentional, benign data race
// (include/linux/compiler.h; KCSAN does not report accesses inside it). Under
// TSan the accesses of `expr` are ignored, so only the one marked access is
// exempt, never the rest of the function it sits in. Elsewhere it is `expr`.
// It yields the value, as the kernel's does (never a reference: the access
// would then happen outside the scope).
#if defined(__SANITIZE_THREAD__)
#define ZS_KERNEL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ZS_KERNEL_TSAN 1
#endif
#endif

#ifdef ZS_KERNEL_TSAN
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);

namespace kernel::detail {
struct data_race_scope {
  data_race_scope() {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~data_race_scope() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
  data_race_scope(const data_race_scope&) = delete;
  data_race_scope& operator=(const data_race_scope&) = delete;
};
}  // namespace kernel::detail

#define data_race(expr)                             \
  ([&]() -> auto {                                  \
    const ::kernel::detail::data_race_scope scope_; \
    return expr;                                    \
  }())
#else
#define data_race(expr) (expr)
#endif
