// seq_file output into a string, and the debugfs calls as stubs (debugfs is not a filesystem here).
//
// seq_printf formats in one pass, on the stack, the directives zsmalloc's
// show functions use (%[-0][width][h|l|ll|z](d|i|u|x|X|c|s) and %%): the
// debugfs class table is about 1,750 calls, and formatting each twice through
// vsnprintf cost more than the rest of an oracle check. Any other directive
// (precision, '*', %p, floating point), or a text longer than the stack
// buffer, goes to vsnprintf.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "kernel/seq_file.h"

namespace kernel {

struct dentry {
  int unused;
};

namespace {

dentry dummy_dentry;

// The vsnprintf path: measure, then format into the buffer.
void FormatSlow(seq_file* s, const char* fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  if (n > 0) {
    const size_t old = s->buf.size();
    s->buf.resize(old + static_cast<size_t>(n) + 1);
    std::vsnprintf(s->buf.data() + old, static_cast<size_t>(n) + 1, fmt, ap2);
    s->buf.resize(old + static_cast<size_t>(n));
  }
  va_end(ap2);
}

enum class Length { kInt, kShort, kChar, kLong, kLongLong, kSize };

// Formats `fmt` into [out, limit) in one pass and returns the end, or null
// if `fmt` holds a directive left to vsnprintf or the text does not fit (the
// caller then formats it the slow way from its own copy of the arguments).
char* FormatFast(char* out, char* const limit, const char* fmt, va_list ap) {
  for (const char* p = fmt;;) {
    while (*p != '%') {
      if (*p == '\0') return out;
      if (out == limit) return nullptr;
      *out++ = *p++;
    }
    p++;
    bool left = false, zero = false;
    for (;; p++) {
      if (*p == '-') {
        left = true;
      } else if (*p == '0') {
        zero = true;
      } else {
        break;
      }
    }
    size_t width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + static_cast<size_t>(*p++ - '0');
    Length len = Length::kInt;
    if (p[0] == 'h') {
      len = p[1] == 'h' ? Length::kChar : Length::kShort;
      p += p[1] == 'h' ? 2 : 1;
    } else if (p[0] == 'l') {
      len = p[1] == 'l' ? Length::kLongLong : Length::kLong;
      p += p[1] == 'l' ? 2 : 1;
    } else if (p[0] == 'z') {
      len = Length::kSize;
      p++;
    }
    // The field's text: digits are written backwards from the end of `num`.
    char num[24];
    const char* text = nullptr;
    size_t n = 0;
    bool negative = false;
    const char conv = *p++;
    switch (conv) {
      case '%':
        num[0] = '%';
        text = num;
        n = 1;
        width = 0;
        break;
      case 'c':
        num[0] = static_cast<char>(va_arg(ap, int));
        text = num;
        n = 1;
        zero = false;
        break;
      case 's':
        text = va_arg(ap, const char*);
        if (text == nullptr) text = "(null)";
        n = std::strlen(text);
        zero = false;
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X': {
        uint64_t v;
        const bool is_signed = conv == 'd' || conv == 'i';
        switch (len) {
          case Length::kLong:
          case Length::kLongLong:
          case Length::kSize:  // all 64-bit here
            v = va_arg(ap, uint64_t);
            break;
          case Length::kShort:
            v = is_signed ? static_cast<uint64_t>(static_cast<short>(va_arg(ap, int)))
                          : static_cast<unsigned short>(va_arg(ap, unsigned));
            break;
          case Length::kChar:
            v = is_signed ? static_cast<uint64_t>(static_cast<signed char>(va_arg(ap, int)))
                          : static_cast<unsigned char>(va_arg(ap, unsigned));
            break;
          default:
            v = is_signed ? static_cast<uint64_t>(static_cast<int64_t>(va_arg(ap, int)))
                          : va_arg(ap, unsigned);
            break;
        }
        if (is_signed && static_cast<int64_t>(v) < 0) {
          negative = true;
          v = uint64_t{0} - v;
        }
        char* q = num + sizeof num;
        if (conv == 'x' || conv == 'X') {
          const char* digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
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
        if (negative && !(zero && !left)) *--q = '-';
        text = q;
        n = static_cast<size_t>(num + sizeof num - q);
        break;
      }
      default:
        return nullptr;
    }
    const size_t sign = negative && zero && !left ? 1 : 0;
    const size_t fill = width > n + sign ? width - n - sign : 0;
    if (static_cast<size_t>(limit - out) < n + sign + fill) return nullptr;
    if (sign) *out++ = '-';
    if (!left)
      for (size_t i = 0; i < fill; i++) *out++ = zero ? '0' : ' ';
    for (size_t i = 0; i < n; i++) *out++ = text[i];
    if (left)
      for (size_t i = 0; i < fill; i++) *out++ = ' ';
  }
}

}  // namespace

void seq_printf(seq_file* s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list slow;
  va_copy(slow, ap);
  char buf[256];
  if (const char* end = FormatFast(buf, buf + sizeof buf, fmt, ap)) {
    s->buf.append(buf, static_cast<size_t>(end - buf));
  } else {
    FormatSlow(s, fmt, slow);
  }
  va_end(slow);
  va_end(ap);
}

void seq_puts(seq_file* s, const char* str) { s->buf += str; }

dentry* debugfs_create_dir(const char* /*name*/, dentry* /*parent*/) { return &dummy_dentry; }

void debugfs_remove_recursive(dentry* /*d*/) {}

}  // namespace kernel
