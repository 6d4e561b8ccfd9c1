// BUG/WARN reports and printk: what the simulated kernel prints when something is wrong.
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "allocator/kernel/src/internal.h"
#include "kernel/bug.h"
#include "kernel/page.h"
#include "kernel/sched.h"

namespace kernel {
namespace {

std::atomic<bug_report_hook_fn> bug_hook{nullptr};
std::atomic<unsigned long> warn_count{0};
std::atomic<int> printk_threshold{KERN_WARNING};

// A BUG inside a BUG report (e.g. in the hook) must not recurse. A hook may
// also never return (a scheduler abandoning the task): installing a hook
// starts a new generation, so such a report does not count as still open.
std::atomic<unsigned long> hook_generation{0};
thread_local unsigned long open_report_generation = 0;
thread_local bool report_open = false;

std::string vformat(const char* fmt, va_list ap) {
  char small[512];
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(small, sizeof(small), fmt, ap);
  if (n < 0) {
    va_end(ap2);
    return {};
  }
  if (static_cast<size_t>(n) < sizeof(small)) {
    va_end(ap2);
    return std::string(small, static_cast<size_t>(n));
  }
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), fmt, ap2);
  va_end(ap2);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string task_line() {
  const task_struct* t = get_current();
  char buf[128];
  std::snprintf(buf, sizeof(buf), "Comm: %s PID: %d preempt_count: %d\n", t->comm, t->pid, t->preempt_count);
  return buf;
}

}  // namespace

namespace internal {

void write_stderr(const char* text, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, len);
    if (n <= 0) return;
    text += n;
    len -= static_cast<size_t>(n);
  }
}

std::string current_task_name() {
  const task_struct* t = get_current();
  return std::string(t->comm) + "/" + std::to_string(t->pid);
}

std::string describe_page(const page* p) {
  static const char* const flag_names[] = {"locked",      "private",  "buddy",
                                           "movable_ops", "isolated", "waiters"};
  const unsigned long flags = p->flags.load(std::memory_order_relaxed);
  std::string names;
  for (unsigned i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
    if (!(flags & (1UL << i))) continue;
    if (!names.empty()) names += '|';
    names += flag_names[i];
  }
  char buf[320];
  const long idx = page_index(p);
  const unsigned long pfn = idx >= 0 ? ARENA_BASE_PFN + static_cast<unsigned long>(idx) : 0;
  std::snprintf(buf, sizeof(buf),
                "page: pfn:0x%lx refcount:%d flags:0x%lx(%s) page_type:0x%x private:0x%lx mapping:0x%lx "
                "index:0x%lx\n",
                pfn, p->_refcount.load(std::memory_order_relaxed), flags, names.c_str(), p->page_type,
                p->private_, p->mapping, p->index);
  return buf;
}

[[noreturn]] void bug_report(const char* file, int line, const char* what, const std::string& details) {
  const unsigned long generation = hook_generation.load(std::memory_order_relaxed);
  if (report_open && open_report_generation == generation) {
    static const char nested[] = "BUG: nested BUG while reporting a BUG: ";
    write_stderr(nested, sizeof(nested) - 1);
    write_stderr(what, std::strlen(what));
    write_stderr("\n", 1);
    std::abort();
  }
  report_open = true;
  open_report_generation = generation;
  std::string report = "BUG: ";
  report += what;
  report += " at ";
  report += file;
  report += ':';
  report += std::to_string(line);
  report += '\n';
  report += task_line();
  report += details;
  report += describe_held_locks(get_current());
  write_stderr(report.data(), report.size());
  if (bug_report_hook_fn hook = bug_hook.load(std::memory_order_acquire)) hook(report.c_str());
  std::abort();
}

void bug_restart() {
  warn_count.store(0, std::memory_order_relaxed);
  hook_generation.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace internal

[[noreturn]] void kernel_bug(const char* file, int line, const char* what) {
  internal::bug_report(file, line, what, {});
}

[[noreturn]] void kernel_bug_page(const char* file, int line, const char* what, const page* p) {
  internal::bug_report(file, line, what, p ? internal::describe_page(p) : std::string("page: (null)\n"));
}

void kernel_warn(const char* file, int line, const char* what) {
  warn_count.fetch_add(1, std::memory_order_relaxed);
  if (printk_threshold.load(std::memory_order_relaxed) < KERN_WARNING) return;
  std::string report = "WARNING: ";
  report += what;
  report += " at ";
  report += file;
  report += ':';
  report += std::to_string(line);
  report += '\n';
  report += task_line();
  internal::write_stderr(report.data(), report.size());
}

unsigned long kernel_warn_count() { return warn_count.load(std::memory_order_relaxed); }
void kernel_warn_count_reset() { warn_count.store(0, std::memory_order_relaxed); }

void set_bug_report_hook(bug_report_hook_fn hook) {
  hook_generation.fetch_add(1, std::memory_order_relaxed);
  bug_hook.store(hook, std::memory_order_release);
}

void printk(printk_level level, const char* fmt, ...) {
  if (level > printk_threshold.load(std::memory_order_relaxed)) return;
  va_list ap;
  va_start(ap, fmt);
  const std::string text = vformat(fmt, ap);
  va_end(ap);
  internal::write_stderr(text.data(), text.size());
}

void set_printk_level(printk_level level) { printk_threshold.store(level, std::memory_order_relaxed); }

}  // namespace kernel
