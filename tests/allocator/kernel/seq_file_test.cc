// seq_file: seq_printf's one-pass formatter writes exactly what snprintf
// writes, for every directive it handles and for those it leaves to vsnprintf.
#include <climits>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "kernel/seq_file.h"

namespace kernel {
namespace {

template <typename... Args>
std::string Snprintf(const char* fmt, Args... args) {
  const int n = std::snprintf(nullptr, 0, fmt, args...);
  std::string out(n > 0 ? static_cast<size_t>(n) + 1 : 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, args...);
  out.pop_back();
  return out;
}

// seq_printf(fmt, args) appended to a prefix equals prefix + snprintf(fmt,
// args), and so does the text of a seq_record of the same calls.
#define EXPECT_SAME(fmt, ...)                                        \
  do {                                                               \
    seq_file s;                                                      \
    s.buf = "prefix:";                                               \
    seq_printf(&s, fmt, __VA_ARGS__);                                \
    EXPECT_EQ(s.buf, "prefix:" + Snprintf(fmt, __VA_ARGS__)) << fmt; \
    seq_record r;                                                    \
    seq_file rs;                                                     \
    rs.record = &r;                                                  \
    seq_puts(&rs, "prefix:");                                        \
    seq_printf(&rs, fmt, __VA_ARGS__);                               \
    EXPECT_EQ(rs.buf, "");                                           \
    EXPECT_EQ(r.text(), s.buf) << fmt;                               \
  } while (0)

TEST(SeqFileTest, IntegersAsSnprintf) {
  for (long v : {0L, 1L, -1L, 9L, 10L, 99999L, 123456789L, LONG_MAX, LONG_MIN}) {
    EXPECT_SAME("%ld|%5ld|%-9ld|%013ld|%1ld", v, v, v, v, v);
    EXPECT_SAME("%lu %10lu %-10lu|%016lx %lX", static_cast<unsigned long>(v), static_cast<unsigned long>(v),
                static_cast<unsigned long>(v), static_cast<unsigned long>(v), static_cast<unsigned long>(v));
    const int i = static_cast<int>(v);
    EXPECT_SAME("%d %5d %-5d %05d %i %u %x %8X", i, i, i, i, i, static_cast<unsigned>(i),
                static_cast<unsigned>(i), static_cast<unsigned>(i));
    EXPECT_SAME("%hd %hu %hhd %hhu %zu %lld %llu", i, static_cast<unsigned>(i), i, static_cast<unsigned>(i),
                static_cast<size_t>(v), static_cast<long long>(v), static_cast<unsigned long long>(v));
  }
}

TEST(SeqFileTest, StringsCharsAndPercent) {
  EXPECT_SAME(" %5s %5s %9s %-6s|%s|", "class", "size", "10%", "ab", "");
  EXPECT_SAME("%c%3c%-3c|100%%", 'x', 'y', 'z');
  const std::string long_field(1000, 'x');
  EXPECT_SAME(" %s %13s", long_field.c_str(), "end");
}

TEST(SeqFileTest, TheClassTableRow) {
  // zs_stats_size_show()'s formats, as mm/zsmalloc.c writes them.
  EXPECT_SAME(" %5u %5u ", 17u, 288u);
  EXPECT_SAME("%9lu ", 12345UL);
  EXPECT_SAME("%13lu %10lu %10lu %16d %8lu\n", 60UL, 59UL, 20UL, 4, 0UL);
  EXPECT_SAME(" %5s %5s ", "Total", "");
}

TEST(SeqFileTest, OtherDirectivesGoToVsnprintf) {
  EXPECT_SAME("%.3s|%*d|%5.2f|%p", "abcdef", 6, 42, 3.14159, static_cast<void*>(nullptr));
  EXPECT_SAME("%d then %.2f", 7, 0.5);
}

TEST(SeqFileTest, RecordsCompareByTheirText) {
  const auto record = [](seq_record* r, int variant) {
    seq_file s;
    s.record = r;
    seq_printf(&s, " %5u %5u ", 17u, 288u);
    if (variant == 1) {
      seq_printf(&s, "%9s ", "60");  // the same text another way
    } else {
      seq_printf(&s, "%9lu ", variant == 2 ? 61UL : 60UL);
    }
    seq_puts(&s, "\n");
  };
  seq_record a, same, other_calls, other_text;
  record(&a, 0);
  record(&same, 0);
  record(&other_calls, 1);
  record(&other_text, 2);
  EXPECT_EQ(a.text(), "    17   288        60 \n");
  EXPECT_TRUE(a.same_text(same));
  EXPECT_EQ(other_calls.text(), a.text());
  EXPECT_TRUE(a.same_text(other_calls));
  EXPECT_FALSE(a.same_text(other_text));
  EXPECT_FALSE(a.same_text(seq_record()));
  EXPECT_TRUE(seq_record().same_text(seq_record()));
}

TEST(SeqFileTest, RecordsALongFieldAndALeftOverDirective) {
  const std::string long_field(2000, 'y');
  seq_record r;
  seq_file s;
  s.record = &r;
  seq_printf(&s, "[%s] %05d", long_field.c_str(), -42);
  seq_printf(&s, " %.2f", 2.5);
  EXPECT_EQ(r.text(), "[" + long_field + "] -0042 2.50");
}

TEST(SeqFileTest, AFormatRecordedAgainGivesTheSameTextAsTheFirstTime) {
  // The first call of a format parses it (add_call), later ones take the
  // inline path (add_known): both must keep the arguments as snprintf reads them.
  seq_record r;
  seq_file s;
  s.record = &r;
  std::string expected;
  for (int round = 0; round < 3; round++) {
    const int i = -7 * round - 1;
    seq_printf(&s, "%5d|%u|%hhu|", i, static_cast<unsigned>(i), static_cast<unsigned>(i));
    expected += Snprintf("%5d|%u|%hhu|", i, static_cast<unsigned>(i), static_cast<unsigned>(i));
    seq_printf(&s, "%9lu ", static_cast<unsigned long>(round) << 40);
    expected += Snprintf("%9lu ", static_cast<unsigned long>(round) << 40);
  }
  EXPECT_EQ(r.nr_calls(), 6u);
  EXPECT_EQ(r.text(), expected);
}

TEST(SeqFileTest, Appends) {
  seq_file s;
  seq_printf(&s, "%5s %d\n", "class", 7);
  seq_puts(&s, "Total");
  EXPECT_EQ(s.buf, "class 7\nTotal");
}

}  // namespace
}  // namespace kernel
