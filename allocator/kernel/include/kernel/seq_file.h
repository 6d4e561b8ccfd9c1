// seq_file as used by debugfs show functions, and the debugfs calls zsmalloc
// makes. Custom: debugfs is not a filesystem here; a show function's text is
// produced by calling it on a seq_file directly.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>
#include <vector>

namespace kernel {

// A show function's output kept as its calls (each format and its
// arguments) instead of as text. Recording a call costs a fraction of
// formatting it, and the same calls make the same text, so two outputs can be
// compared without making either text; the text is made on demand. Not in
// the kernel: the oracle reads the debugfs class table after every run.
// Formats must be string literals (static storage), as in show functions:
// the record keeps the pointer.
class seq_record {
 public:
  // The text the calls make, as seq_printf/seq_puts into `buf` would.
  std::string text() const;
  // Whether both make the same text (calls compared first, texts only if
  // the calls differ).
  bool same_text(const seq_record& other) const;
  bool empty() const { return calls_.empty(); }
  // Room for `calls` calls and `args` arguments (a table's size is known
  // from the last one), so recording does not grow the arrays call by call.
  void reserve(size_t calls, size_t args) {
    calls_.reserve(calls);
    args_.reserve(args);
  }
  size_t nr_calls() const { return calls_.size(); }
  size_t nr_args() const { return args_.size(); }

  // seq_file's side.
  void add_call(const char* fmt, va_list ap);
  void add_text(std::string text);

 private:
  struct call {
    const char* fmt;  // null: strs_[first] is literal text
    uint32_t first;   // its first argument in args_ (or its text in strs_)
    uint32_t nargs;
  };
  bool same_calls(const seq_record& other) const;
  std::vector<call> calls_;
  // Integer arguments as 64-bit words; a %s argument is an index into strs_.
  std::vector<uint64_t> args_;
  std::vector<std::string> strs_;
};

struct seq_file {
  std::string buf;
  void* private_ = nullptr;
  // When set, seq_printf and seq_puts add to it and `buf` stays empty.
  seq_record* record = nullptr;
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
