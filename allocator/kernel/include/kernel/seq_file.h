// seq_file as used by debugfs show functions, and the debugfs calls zsmalloc
// makes. Custom: debugfs is not a filesystem here; a show function's text is
// produced by calling it on a seq_file directly.
#pragma once

#include <string>

namespace kernel {

struct seq_file {
  std::string buf;
  void* private_ = nullptr;
};

void seq_printf(seq_file* s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_puts(seq_file* s, const char* str);

struct dentry;
// Stubs: they record nothing and return a dummy dentry so callers take their
// normal path. zsmalloc ignores debugfs failures anyway.
dentry* debugfs_create_dir(const char* name, dentry* parent);
void debugfs_remove_recursive(dentry* d);
inline bool debugfs_initialized() { return true; }

}  // namespace kernel
