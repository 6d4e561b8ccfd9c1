// seq_file output into a string or a seq_record, and the debugfs calls as
// stubs (debugfs is not a filesystem here).
//
// seq_printf formats on the stack, in one pass, the directives zsmalloc's
// show functions use (%[-0][width][h|l|ll|z](d|i|u|x|X|c|s) and %%): the
// debugfs class table is about 1,750 calls, and formatting each twice through
// vsnprintf cost more than the rest of an oracle check. Any other directive
// (precision, '*', %p, floating point) goes to snprintf (seq_file.h). A
// seq_record keeps a call's format and argument words instead, and parses a
// format once per address.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "allocator/kernel/src/internal.h"
#include "kernel/seq_file.h"

namespace kernel {

struct dentry {
  int unused;
};

namespace {

dentry dummy_dentry;

enum class Length : uint8_t { kInt, kShort, kChar, kLong, kLongLong, kSize };

// One directive: %[-][0][width][h|hh|l|ll|z]conv.
struct Spec {
  char conv = 0;  // d i u x X c s %; 0: one left to vsnprintf
  Length len = Length::kInt;
  bool left = false;
  bool zero = false;
  unsigned width = 0;
};

// Parses the directive after a '%' at *pp and moves *pp past it.
Spec ParseSpec(const char** pp) {
  const char* p = *pp;
  Spec spec;
  for (;; p++) {
    if (*p == '-') {
      spec.left = true;
    } else if (*p == '0') {
      spec.zero = true;
    } else {
      break;
    }
  }
  while (*p >= '0' && *p <= '9' && spec.width < 4096) spec.width = spec.width * 10 + (*p++ - '0');
  if (p[0] == 'h') {
    spec.len = p[1] == 'h' ? Length::kChar : Length::kShort;
    p += p[1] == 'h' ? 2 : 1;
  } else if (p[0] == 'l') {
    spec.len = p[1] == 'l' ? Length::kLongLong : Length::kLong;
    p += p[1] == 'l' ? 2 : 1;
  } else if (p[0] == 'z') {
    spec.len = Length::kSize;
    p++;
  }
  switch (*p) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'c':
    case 's':
    case '%':
      spec.conv = *p++;
      break;
    default:
      break;
  }
  *pp = p;
  return spec;
}

bool TakesArg(const Spec& s) { return s.conv != '%'; }

// An integer argument as printf reads it for `s`, from its 64-bit word (the
// argument sign-extended if its type is signed): narrowed to the directive's
// length, then sign-extended for d and i and zero-extended otherwise.
inline uint64_t Narrow(const Spec& s, uint64_t v) {
  const bool is_signed = s.conv == 'd' || s.conv == 'i';
  switch (s.len) {
    case Length::kLong:
    case Length::kLongLong:
    case Length::kSize:  // all 64-bit here
      return v;
    case Length::kShort:
      return is_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(v)))
                       : static_cast<uint16_t>(v);
    case Length::kChar:
      return is_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(v)))
                       : static_cast<uint8_t>(v);
    default:
      if (s.conv == 'c') return static_cast<uint8_t>(v);
      return is_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)))
                       : static_cast<uint32_t>(v);
  }
}

// Formats one field into [out, limit): `v` for integers and %c, `str` for
// %s. Returns the end, or null if it does not fit.
char* FormatField(char* out, char* const limit, const Spec& spec, uint64_t v, const char* str) {
  char num[24];  // digits are written backwards from its end
  const char* text = num;
  size_t n = 1;
  bool negative = false;
  bool zero = spec.zero && !spec.left;
  size_t width = spec.width;
  switch (spec.conv) {
    case '%':
      num[0] = '%';
      width = 0;
      break;
    case 'c':
      num[0] = static_cast<char>(Narrow(spec, v));
      zero = false;
      break;
    case 's':
      text = str != nullptr ? str : "(null)";
      n = std::strlen(text);
      zero = false;
      break;
    default: {  // d i u x X
      v = Narrow(spec, v);
      if ((spec.conv == 'd' || spec.conv == 'i') && static_cast<int64_t>(v) < 0) {
        negative = true;
        v = uint64_t{0} - v;
      }
      char* q = num + sizeof num;
      if (spec.conv == 'x' || spec.conv == 'X') {
        const char* digits = spec.conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do {
          *--q = digits[v & 15];
          v >>= 4;
        } while (v != 0);
      } else {
        do {
          *--q = static_cast<char>('0' + v % 10);
          v /= 10;
        } while (v != 0);
      }
      if (negative && !zero) *--q = '-';
      text = q;
      n = static_cast<size_t>(num + sizeof num - q);
      break;
    }
  }
  const size_t sign = negative && zero ? 1 : 0;
  const size_t fill = width > n + sign ? width - n - sign : 0;
  if (static_cast<size_t>(limit - out) < n + sign + fill) return nullptr;
  if (sign) *out++ = '-';
  if (!spec.left)
    for (size_t i = 0; i < fill; i++) *out++ = zero ? '0' : ' ';
  for (size_t i = 0; i < n; i++) *out++ = text[i];
  if (spec.left)
    for (size_t i = 0; i < fill; i++) *out++ = ' ';
  return out;
}

// Formats `fmt` into [out, limit), taking each argument from `next(spec, &v,
// &str)`. Returns the end, or null if `fmt` holds a directive left to
// vsnprintf or the text does not fit.
template <typename NextArg>
char* Format(char* out, char* const limit, const char* fmt, NextArg next) {
  for (const char* p = fmt;;) {
    while (*p != '%') {
      if (*p == '\0') return out;
      if (out == limit) return nullptr;
      *out++ = *p++;
    }
    p++;
    const Spec spec = ParseSpec(&p);
    if (spec.conv == 0) return nullptr;
    uint64_t v = 0;
    const char* str = nullptr;
    if (TakesArg(spec)) next(spec, &v, &str);
    out = FormatField(out, limit, spec, v, str);
    if (out == nullptr) return nullptr;
  }
}

// What a record needs of a format: whether Format handles all of it, how
// many arguments it takes and which are strings. Parsed once per address
// (formats are literals in a record, seq_file.h).
struct FormatInfo {
  const char* fmt = nullptr;
  bool fast = false;
  uint8_t nargs = 0;
  uint32_t str_mask = 0;  // bit i: argument i is a %s
};
constexpr int kMaxArgs = 32;

const FormatInfo& InfoOf(const char* fmt, FormatInfo* scratch) {
#ifdef ZS_KERNEL_TSAN
  // Fibers share an OS thread, and TSan sees each as a thread of its own
  // with no order between them: under TSan a format is parsed on every call,
  // into the caller's scratch.
  FormatInfo& f = *scratch;
#else
  (void)scratch;
  thread_local FormatInfo cache[128];
  FormatInfo& f = cache[(reinterpret_cast<uintptr_t>(fmt) >> 3) % 128];
  if (f.fmt == fmt) return f;
#endif
  f = FormatInfo{};
  f.fmt = fmt;
  f.fast = true;
  for (const char* p = fmt; *p;) {
    if (*p++ != '%') continue;
    const Spec spec = ParseSpec(&p);
    if (spec.conv == 0 || f.nargs == kMaxArgs) {
      f.fast = false;
      break;
    }
    if (!TakesArg(spec)) continue;
    if (spec.conv == 's') f.str_mask |= uint32_t{1} << f.nargs;
    f.nargs++;
  }
  return f;
}

}  // namespace

bool seq_record::add_call(const char* fmt, const seq_arg* args, size_t n) {
#ifdef ZS_KERNEL_TSAN
  FormatInfo scratch;
  const FormatInfo& info = InfoOf(fmt, &scratch);
#else
  const FormatInfo& info = InfoOf(fmt, nullptr);
#endif
  if (!info.fast || info.nargs != n) [[unlikely]]
    return false;
  calls_.push_back(call{fmt, static_cast<uint32_t>(args_.size()), info.nargs});
  if (info.str_mask != 0) [[unlikely]] {
    add_strings(args, n, info.str_mask);
    return true;
  }
  known_[known_slot(fmt)] = known_format{fmt, n};
  for (size_t i = 0; i < n; i++) args_.push_back(args[i].word);
  return true;
}

void seq_record::add_strings(const seq_arg* args, size_t n, uint32_t str_mask) {
  for (size_t i = 0; i < n; i++) {
    if (str_mask >> i & 1) {
      args_.push_back(strs_.size());
      strs_.emplace_back(args[i].str != nullptr ? args[i].str : "(null)");
    } else {
      args_.push_back(args[i].word);
    }
  }
}

void seq_record::add_text(std::string text) {
  calls_.push_back(call{nullptr, static_cast<uint32_t>(strs_.size()), 0});
  strs_.push_back(std::move(text));
}

std::string seq_record::text() const {
  std::string out;
  char buf[512];
  for (const call& c : calls_) {
    if (c.fmt == nullptr) {
      out += strs_[c.first];
      continue;
    }
    uint32_t k = c.first;
    const char* end =
        Format(buf, buf + sizeof buf, c.fmt, [&](const Spec& spec, uint64_t* v, const char** str) {
          if (spec.conv == 's') {
            *str = strs_[args_[k++]].c_str();
          } else {
            *v = args_[k++];
          }
        });
    if (end != nullptr) {
      out.append(buf, static_cast<size_t>(end - buf));
      continue;
    }
    // Too long for the stack: the same fields, one at a time.
    k = c.first;
    for (const char* p = c.fmt; *p;) {
      if (*p != '%') {
        out += *p++;
        continue;
      }
      p++;
      const Spec spec = ParseSpec(&p);
      const char* str = spec.conv == 's' ? strs_[args_[k]].c_str() : nullptr;
      const uint64_t v = TakesArg(spec) ? args_[k++] : 0;
      std::string field(spec.width + (str ? std::strlen(str) : 0) + 24, '\0');
      char* e = FormatField(field.data(), field.data() + field.size(), spec, v, str);
      out.append(field.data(), static_cast<size_t>(e - field.data()));
    }
  }
  return out;
}

bool seq_record::same_calls(const seq_record& o) const {
  if (calls_.size() != o.calls_.size() || args_ != o.args_ || strs_ != o.strs_) return false;
  const char* last_a = nullptr;
  const char* last_b = nullptr;
  for (size_t i = 0; i < calls_.size(); i++) {
    const call &a = calls_[i], &b = o.calls_[i];
    if (a.first != b.first || a.nargs != b.nargs || (a.fmt == nullptr) != (b.fmt == nullptr)) return false;
    if (a.fmt == b.fmt || (a.fmt == last_a && b.fmt == last_b)) continue;
    // Two variants' show functions hold the same literal at two addresses.
    if (std::strcmp(a.fmt, b.fmt) != 0) return false;
    last_a = a.fmt;
    last_b = b.fmt;
  }
  return true;
}

bool seq_record::same_text(const seq_record& other) const {
  // The same formats with the same arguments make the same text; other calls
  // may still make it (a field printed another way), so then the texts decide.
  return same_calls(other) || text() == other.text();
}

namespace seq_internal {

bool write_args(seq_file* s, const char* fmt, const seq_arg* args, size_t n) {
  if (s->record != nullptr) return s->record->add_call(fmt, args, n);
  char buf[256];
  size_t k = 0;
  bool short_of_args = false;
  const char* end = Format(buf, buf + sizeof buf, fmt, [&](const Spec&, uint64_t* v, const char** str) {
    if (k == n) {
      short_of_args = true;
      return;
    }
    *v = args[k].word;
    *str = args[k++].str;
  });
  if (end == nullptr || short_of_args || k != n) return false;
  s->buf.append(buf, static_cast<size_t>(end - buf));
  return true;
}

void write_text(seq_file* s, std::string text) {
  if (s->record != nullptr) {
    s->record->add_text(std::move(text));
  } else {
    s->buf += text;
  }
}

}  // namespace seq_internal

void seq_puts(seq_file* s, const char* str) { seq_internal::write_text(s, str); }

dentry* debugfs_create_dir(const char* /*name*/, dentry* /*parent*/) { return &dummy_dentry; }

void debugfs_remove_recursive(dentry* /*d*/) {}

}  // namespace kernel
