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
