// BUG_ON / VM_BUG_ON / WARN_ON and printk, as CONFIG_DEBUG_VM=y kernels have them.
//
// A BUG prints one "BUG: ..." report naming the condition, the source line and
// the current task, runs the installed report hook (the scheduler prints its
// trace tail there) and aborts. A WARN prints and is counted, so a harness can
// treat any WARN as a finding.
#pragma once

#include <atomic>
#include <cstdarg>

#include "kernel/types.h"

namespace kernel {

struct page;

[[noreturn]] void kernel_bug(const char* file, int line, const char* what);
[[noreturn]] void kernel_bug_page(const char* file, int line, const char* what, const struct page* page);
void kernel_warn(const char* file, int line, const char* what);

// Number of WARNs since the last reset (process-wide).
unsigned long kernel_warn_count();
void kernel_warn_count_reset();

// Called with the report text before a BUG aborts (one hook; nullptr clears it).
using bug_report_hook_fn = void (*)(const char* report);
void set_bug_report_hook(bug_report_hook_fn hook);

enum printk_level { KERN_ERR, KERN_WARNING, KERN_INFO, KERN_DEBUG };
void printk(printk_level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Messages at or below this level go to stderr; the rest are dropped.
void set_printk_level(printk_level level);

}  // namespace kernel

#define BUG() ::kernel::kernel_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)                                                     \
  do {                                                                   \
    if (unlikely(cond)) ::kernel::kernel_bug(__FILE__, __LINE__, #cond); \
  } while (0)
#define VM_BUG_ON(cond) BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page)                                                    \
  do {                                                                                \
    if (unlikely(cond)) ::kernel::kernel_bug_page(__FILE__, __LINE__, #cond, (page)); \
  } while (0)
#define WARN_ON(cond)                                                           \
  ([&]() -> bool {                                                              \
    const bool warn_cond_ = !!(cond);                                           \
    if (unlikely(warn_cond_)) ::kernel::kernel_warn(__FILE__, __LINE__, #cond); \
    return warn_cond_;                                                          \
  }())
#define WARN_ON_ONCE(cond)                                    \
  ([&]() -> bool {                                            \
    static std::atomic<bool> warned_once_{false};             \
    const bool warn_cond_ = !!(cond);                         \
    if (unlikely(warn_cond_) && !warned_once_.exchange(true)) \
      ::kernel::kernel_warn(__FILE__, __LINE__, #cond);       \
    return warn_cond_;                                        \
  }())
#define VM_WARN_ON_ONCE(cond) ((void)WARN_ON_ONCE(cond))
#define BUILD_BUG_ON(cond) static_assert(!(cond), #cond)

#define pr_err(...) ::kernel::printk(::kernel::KERN_ERR, __VA_ARGS__)
#define pr_warn(...) ::kernel::printk(::kernel::KERN_WARNING, __VA_ARGS__)
#define pr_info(...) ::kernel::printk(::kernel::KERN_INFO, __VA_ARGS__)
#define pr_debug(...) ::kernel::printk(::kernel::KERN_DEBUG, __VA_ARGS__)
