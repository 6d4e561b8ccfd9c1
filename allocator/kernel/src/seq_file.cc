// seq_file output into a string, and the debugfs calls as stubs (debugfs is not a filesystem here).
#include <cstdarg>
#include <cstdio>

#include "kernel/seq_file.h"

namespace kernel {

struct dentry {
  int unused;
};

namespace {
dentry dummy_dentry;
}  // namespace

void seq_printf(seq_file* s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  if (n > 0) {
    const size_t old = s->buf.size();
    s->buf.resize(old + static_cast<size_t>(n) + 1);
    std::vsnprintf(s->buf.data() + old, static_cast<size_t>(n) + 1, fmt, ap2);
    s->buf.resize(old + static_cast<size_t>(n));
  }
  va_end(ap2);
}

void seq_puts(seq_file* s, const char* str) { s->buf += str; }

dentry* debugfs_create_dir(const char* /*name*/, dentry* /*parent*/) { return &dummy_dentry; }

void debugfs_remove_recursive(dentry* /*d*/) {}

}  // namespace kernel
