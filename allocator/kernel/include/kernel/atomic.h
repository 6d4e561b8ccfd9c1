// atomic_t / atomic_long_t with the kernel's ordering: plain arithmetic and
// reads are relaxed, xchg/cmpxchg are fully ordered. Read-modify-writes are
// yield points, because a shared counter update is where another CPU can slip in.
#pragma once

#include <atomic>

#include "kernel/sched.h"

namespace kernel {

struct atomic_t {
  std::atomic<int> counter{0};
};
struct atomic_long_t {
  std::atomic<long> counter{0};
};

inline int atomic_read(const atomic_t* v) { return v->counter.load(std::memory_order_relaxed); }
inline void atomic_set(atomic_t* v, int i) { v->counter.store(i, std::memory_order_relaxed); }
inline void atomic_inc(atomic_t* v) {
  yield_point("atomic_inc", v);
  v->counter.fetch_add(1, std::memory_order_relaxed);
}
inline void atomic_dec(atomic_t* v) {
  yield_point("atomic_dec", v);
  v->counter.fetch_sub(1, std::memory_order_relaxed);
}
inline int atomic_xchg(atomic_t* v, int i) {
  yield_point("atomic_xchg", v);
  return v->counter.exchange(i, std::memory_order_seq_cst);
}
inline int atomic_cmpxchg(atomic_t* v, int old, int i) {
  yield_point("atomic_cmpxchg", v);
  v->counter.compare_exchange_strong(old, i, std::memory_order_seq_cst);
  return old;
}

inline long atomic_long_read(const atomic_long_t* v) { return v->counter.load(std::memory_order_relaxed); }
inline void atomic_long_set(atomic_long_t* v, long i) { v->counter.store(i, std::memory_order_relaxed); }
inline void atomic_long_add(long i, atomic_long_t* v) {
  yield_point("atomic_long_add", v);
  v->counter.fetch_add(i, std::memory_order_relaxed);
}
inline void atomic_long_sub(long i, atomic_long_t* v) {
  yield_point("atomic_long_sub", v);
  v->counter.fetch_sub(i, std::memory_order_relaxed);
}
inline void atomic_long_inc(atomic_long_t* v) { atomic_long_add(1, v); }
inline void atomic_long_dec(atomic_long_t* v) { atomic_long_sub(1, v); }
inline long atomic_long_add_return(long i, atomic_long_t* v) {
  yield_point("atomic_long_add_return", v);
  return v->counter.fetch_add(i, std::memory_order_seq_cst) + i;
}

// Not a kernel API: what `counter += i` compiled to when older kernels kept
// this counter as a plain unsigned long, for seeded mutants that port such
// code. A load and a store, both plain accesses (TSan sees them race with
// other accesses), with a yield point between them, where another CPU can
// update the counter and have its update overwritten.
inline void nonatomic_long_add(long i, atomic_long_t* v) {
  static_assert(sizeof(v->counter) == sizeof(long) && std::atomic<long>::is_always_lock_free);
  long* word = reinterpret_cast<long*>(&v->counter);
  const long old = *word;
  yield_point("nonatomic_long_add", v);
  *word = old + i;
}

}  // namespace kernel
