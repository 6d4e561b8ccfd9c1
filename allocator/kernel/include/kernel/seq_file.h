// seq_file as used by debugfs show functions, and the debugfs calls zsmalloc
// makes. Custom: debugfs is not a filesystem here; a show function's text is
// produced by calling it on a seq_file directly.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

namespace kernel {

// One seq_printf argument as the one-pass formatter takes it: an integer
// widened to 64 bits (sign-extended when its type is signed; the directive's
// length modifier narrows it again when it is printed), or a string.
struct seq_arg {
  uint64_t word;
  const char* str;  // a %s argument's text; null for an integer
};

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

  // seq_file's side: `fmt` with its `n` arguments, or literal text.
  // add_call adds nothing and returns false when `fmt` has a directive the
  // one-pass formatter leaves to snprintf, or does not take `n` arguments.
  bool add_call(const char* fmt, const seq_arg* args, size_t n);
  // add_call's common case, inline: a format this record took before with
  // `n` integer arguments (`words`, seq_arg::word each). False: not known
  // yet, nothing added.
  bool add_known(const char* fmt, const uint64_t* words, size_t n) {
    const size_t k = known_slot(fmt);
    if (known_[k].fmt != fmt || known_[k].nargs != n) return false;
    calls_.push_back(call{fmt, static_cast<uint32_t>(args_.size()), static_cast<uint32_t>(n)});
    for (size_t i = 0; i < n; i++) args_.push_back(words[i]);
    return true;
  }
  void add_text(std::string text);

 private:
  struct call {
    const char* fmt;  // null: strs_[first] is literal text
    uint32_t first;   // its first argument in args_ (or its text in strs_)
    uint32_t nargs;
  };
  bool same_calls(const seq_record& other) const;
  // add_call's arguments when some are strings (bit i of `str_mask`: args[i]).
  void add_strings(const seq_arg* args, size_t n, uint32_t str_mask);
  // Formats add_call found to take only integers (a show function uses a
  // few, over and over), direct-mapped by address.
  struct known_format {
    const char* fmt = nullptr;
    size_t nargs = 0;
  };
  static size_t known_slot(const char* fmt) { return (reinterpret_cast<uintptr_t>(fmt) >> 3) & 7; }
  known_format known_[8];
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

void seq_puts(seq_file* s, const char* str);

namespace seq_internal {

template <typename T>
constexpr bool kIsInteger = std::is_integral_v<T> || std::is_enum_v<T>;
template <typename T>
constexpr bool kIsString = std::is_same_v<T, const char*> || std::is_same_v<T, char*>;

inline seq_arg to_arg(const char* str) { return seq_arg{0, str}; }
template <typename T>
  requires kIsInteger<T>
inline seq_arg to_arg(T v) {
  if constexpr (std::is_enum_v<T>) {
    return to_arg(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_signed_v<T>) {
    return seq_arg{static_cast<uint64_t>(static_cast<int64_t>(v)), nullptr};
  } else {
    return seq_arg{static_cast<uint64_t>(v), nullptr};
  }
}

// Adds `fmt` with its arguments to `s` (its record, or its text) if every
// directive in it is one the one-pass formatter handles
// (%[-0][width][h|hh|l|ll|z](d|i|u|x|X|c|s) and %%) and it takes `n`
// arguments; otherwise adds nothing and returns false.
bool write_args(seq_file* s, const char* fmt, const seq_arg* args, size_t n);
void write_text(seq_file* s, std::string text);

// The rest (precision, '*', %p, floating point): snprintf with the real arguments.
template <typename... A>
std::string format_with_snprintf(const char* fmt, A... a) {
  const int n = std::snprintf(nullptr, 0, fmt, a...);
  std::string out(n > 0 ? static_cast<size_t>(n) + 1 : 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, a...);
  out.pop_back();
  return out;
}

// Never called: gives seq_printf's arguments the compiler's printf check.
__attribute__((format(printf, 1, 2))) inline void check_format(const char* /*fmt*/, ...) {}

}  // namespace seq_internal

// seq_printf's formats that the record has not taken before, its strings,
// and every call on a seq_file that keeps text.
template <typename... A>
[[gnu::noinline]] void seq_printf_slow(seq_file* s, const char* fmt, A... a) {
  if constexpr (((seq_internal::kIsInteger<A> || seq_internal::kIsString<A>) && ...)) {
    const seq_arg args[sizeof...(A) + 1] = {seq_internal::to_arg(a)..., seq_arg{0, nullptr}};
    if (seq_internal::write_args(s, fmt, args, sizeof...(A))) return;
  }
  if constexpr (sizeof...(A) != 0) {
    seq_internal::write_text(s, seq_internal::format_with_snprintf(fmt, a...));
  } else {
    seq_internal::write_text(s, fmt);  // a directive with no argument: printf's behaviour is undefined
  }
}

// seq_printf's body. A template rather than a C varargs function: the
// arguments arrive with their types, so recording a call (the class table is
// about 1,750 of them) copies words, and a format the record has taken
// before is not parsed again. The rest is out of line, so this stays a few
// instructions.
template <typename... A>
inline void seq_printf_args(seq_file* s, const char* fmt, A... a) {
  if constexpr ((seq_internal::kIsInteger<A> && ...)) {
    if (s->record != nullptr) {
      const uint64_t words[sizeof...(A) + 1] = {seq_internal::to_arg(a).word..., 0};
      if (s->record->add_known(fmt, words, sizeof...(A))) return;
    }
  }
  seq_printf_slow(s, fmt, a...);
}

struct dentry;
// Stubs: they record nothing and return a dummy dentry so callers take their
// normal path. zsmalloc ignores debugfs failures anyway.
dentry* debugfs_create_dir(const char* name, dentry* parent);
void debugfs_remove_recursive(dentry* d);
inline bool debugfs_initialized() { return true; }

}  // namespace kernel

// seq_printf(s, fmt, ...): printf-checked like the kernel's (format(printf)
// cannot be put on a template), each argument evaluated once.
#define seq_printf(s, ...)                                        \
  do {                                                            \
    if (false) ::kernel::seq_internal::check_format(__VA_ARGS__); \
    ::kernel::seq_printf_args((s), __VA_ARGS__);                  \
  } while (0)
