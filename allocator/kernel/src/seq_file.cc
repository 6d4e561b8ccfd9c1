// seq_file output into a string, and the debugfs calls as stubs (debugfs is not a filesystem here).
//
// seq_printf formats in one pass straight into the buffer for the directives
// zsmalloc's show functions use (%[-0][width][h|l|ll|z](d|i|u|x|X|c|s) and
// %%): the debugfs class table is about 1,600 calls, and formatting each twice
// through vsnprintf cost more than the rest of an oracle check. Any other
// directive (precision, '*', %p, floating point) goes to vsnprintf as before.
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

// Appends `len` bytes of `text` padded to `width` (left-justified if `left`,
// with zeros after a sign if `zero`).
void Pad(std::string* out, const char* text, size_t len, unsigned width, bool left, bool zero) {
  const size_t fill = width > len ? width - len : 0;
  if (left) {
    out->append(text, len);
    out->append(fill, ' ');
  } else if (zero) {
    size_t sign = len > 0 && text[0] == '-' ? 1 : 0;
    out->append(text, sign);
    out->append(fill, '0');
    out->append(text + sign, len - sign);
  } else {
    out->append(fill, ' ');
    out->append(text, len);
  }
}

// Digits of `v` in `base`, written backwards ending at `end`; returns the start.
char* Digits(uint64_t v, unsigned base, bool upper, char* end) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char* p = end;
  do {
    *--p = digits[v % base];
    v /= base;
  } while (v != 0);
  return p;
}

enum class Length { kInt, kShort, kChar, kLong, kLongLong, kSize };

// One pass over `fmt`; false (nothing appended) if it holds a directive this
// formatter leaves to vsnprintf.
bool FormatFast(seq_file* s, const char* fmt, va_list ap) {
  // Check first, so that a fallback never follows a partial append.
  for (const char* p = fmt; *p; p++) {
    if (*p != '%') continue;
    p++;
    while (*p == '-' || *p == '0') p++;
    while (*p >= '0' && *p <= '9') p++;
    while (*p == 'h' || *p == 'l' || *p == 'z') p++;
    if (*p == '\0' || std::strchr("diuxXcs%", *p) == nullptr) return false;
  }
  std::string& out = s->buf;
  for (const char* p = fmt; *p;) {
    const char* plain = p;
    while (*p && *p != '%') p++;
    out.append(plain, static_cast<size_t>(p - plain));
    if (*p == '\0') break;
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
    unsigned width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + static_cast<unsigned>(*p++ - '0');
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
    const char conv = *p++;
    char buf[24];
    char* const end = buf + sizeof buf;
    switch (conv) {
      case '%':
        out += '%';
        break;
      case 'c': {
        const char c = static_cast<char>(va_arg(ap, int));
        Pad(&out, &c, 1, width, left, false);
        break;
      }
      case 's': {
        const char* str = va_arg(ap, const char*);
        if (str == nullptr) str = "(null)";
        Pad(&out, str, std::strlen(str), width, left, false);
        break;
      }
      case 'd':
      case 'i': {
        int64_t v;
        switch (len) {
          case Length::kLong:
            v = va_arg(ap, long);
            break;
          case Length::kLongLong:
            v = va_arg(ap, long long);
            break;
          case Length::kSize:
            v = static_cast<int64_t>(va_arg(ap, size_t));
            break;
          case Length::kShort:
            v = static_cast<short>(va_arg(ap, int));
            break;
          case Length::kChar:
            v = static_cast<signed char>(va_arg(ap, int));
            break;
          default:
            v = va_arg(ap, int);
            break;
        }
        const uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        char* start = Digits(mag, 10, false, end);
        if (v < 0) *--start = '-';
        Pad(&out, start, static_cast<size_t>(end - start), width, left, zero && !left);
        break;
      }
      default: {  // u, x, X
        uint64_t v;
        switch (len) {
          case Length::kLong:
            v = va_arg(ap, unsigned long);
            break;
          case Length::kLongLong:
            v = va_arg(ap, unsigned long long);
            break;
          case Length::kSize:
            v = va_arg(ap, size_t);
            break;
          case Length::kShort:
            v = static_cast<unsigned short>(va_arg(ap, unsigned));
            break;
          case Length::kChar:
            v = static_cast<unsigned char>(va_arg(ap, unsigned));
            break;
          default:
            v = va_arg(ap, unsigned);
            break;
        }
        char* start = Digits(v, conv == 'u' ? 10 : 16, conv == 'X', end);
        Pad(&out, start, static_cast<size_t>(end - start), width, left, zero && !left);
        break;
      }
    }
  }
  return true;
}

}  // namespace

void seq_printf(seq_file* s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list slow;
  va_copy(slow, ap);
  if (!FormatFast(s, fmt, ap)) FormatSlow(s, fmt, slow);
  va_end(slow);
  va_end(ap);
}

void seq_puts(seq_file* s, const char* str) { s->buf += str; }

dentry* debugfs_create_dir(const char* /*name*/, dentry* /*parent*/) { return &dummy_dentry; }

void debugfs_remove_recursive(dentry* /*d*/) {}

}  // namespace kernel
