#include "fuzzers/stress/sanitizer_reports.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ZSFUZZ_TSAN 1
#endif
#endif

namespace zsfuzz {
namespace {
unsigned long tsan_reports = 0;  // __atomic builtins only: the hook runs inside the TSan runtime
}  // namespace

unsigned long SanitizerReportCount() { return __atomic_load_n(&tsan_reports, __ATOMIC_RELAXED); }

}  // namespace zsfuzz

#ifdef ZSFUZZ_TSAN
// Called by the TSan runtime for every report it prints (a weak hook in
// tsan_rtl_report.cpp). Not instrumented: it runs while TSan reports.
extern "C" __attribute__((no_sanitize("thread"))) void __tsan_on_report(const void* /*report*/) {
  __atomic_fetch_add(&zsfuzz::tsan_reports, 1, __ATOMIC_RELAXED);
}
#endif
