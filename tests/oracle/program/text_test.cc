// text.h: the printer's canonical form and the parser's errors.
#include "oracle/program/text.h"

#include "gtest/gtest.h"
#include "oracle/program/binary.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz {
namespace {

using zsfuzz_test::kDesignExample;
using zsfuzz_test::MustParse;

TEST(TextTest, DesignExamplePrintsBackIdentically) {
  const Program p = MustParse(kDesignExample);
  EXPECT_EQ(PrintProgram(p), kDesignExample);
  ASSERT_EQ(p.threads.size(), 3u);
  EXPECT_EQ(p.threads[0].size(), 4u);
  EXPECT_EQ(p.threads[2][0].code, OpCode::kMigrate);
  EXPECT_EQ(p.threads[2][0].slot, 1u);  // b, t1's malloc
  EXPECT_EQ(p.schedule, zs_sched::Schedule::Pct(2, 17));
  EXPECT_EQ(p.chain_size, 8u);
}

TEST(TextTest, CommentsBlankLinesNamesAndDefaults) {
  const Program p = MustParse(
      "# a hand-written seed\n"
      "\n"
      "chain 4   # small zspages\n"
      "threads 2\n"
      "t0: malloc 4097 -> big ; malloc 1560->span;free span   # no spaces needed around -> and ;\n"
      "t0: migrate victim page 2   # a later thread's slot, and t0 continued\n"
      "t1: malloc 0 -> victim ; free victim\n");
  EXPECT_EQ(p.chain_size, 4u);
  EXPECT_EQ(p.schedule, zs_sched::Schedule());  // random seed=0
  EXPECT_EQ(PrintProgram(p),
            "# zsfuzz program v1\n"
            "threads 2\n"
            "chain 4\n"
            "t0: malloc 4097 -> a ; malloc 1560 -> b ; free b ; migrate c page 2\n"
            "t1: malloc 0 -> c ; free c\n"
            "schedule random seed=0\n");
}

TEST(TextTest, BareScheduleDataAndEmptyThreads) {
  const Program p = MustParse("threads 2\nt0:\nt1:\nschedule 0 1 1 2 0\n");
  EXPECT_EQ(p.schedule.data, (std::vector<uint32_t>{0, 1, 1, 2, 0}));
  EXPECT_EQ(PrintProgram(p),
            "# zsfuzz program v1\nthreads 2\nt0:\nt1:\nschedule random seed=0 data=0,1,1,2,0\n");
}

TEST(TextTest, LongThreadsWrapAndParseBack) {
  Program p;
  p.threads.resize(1);
  for (uint32_t i = 0; i < 60; i++) {
    Op op;
    op.code = OpCode::kMalloc;
    op.size = 1000 + i;
    op.slot = i;
    p.threads[0].push_back(op);
  }
  const std::string text = PrintProgram(p);
  size_t lines = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    EXPECT_LE(nl - start, 100u) << text.substr(start, nl - start);
    lines++;
    start = nl + 1;
  }
  EXPECT_GT(lines, 6u);
  EXPECT_EQ(MustParse(text), p);
}

TEST(TextTest, ParseErrorAsStatus) {
  absl::StatusOr<Program> p = ParseProgram("threads 1\nt0: bogus\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message().substr(0, 18), "line 2, column 5: ");
}

TEST(TextTest, BulkOpsParseIntoMarkedOpsAndPrintBack) {
  const char* text =
      "# zsfuzz program v1\nthreads 2\nt0: malloc 48 x 3 -> a ; write a+2 ; free a x 2 ; malloc 32 -> d ; "
      "free a+2 x 2\nt1: migrate a+1 page 0\nschedule random seed=0\n";
  const Program p = MustParse(text);
  const std::vector<Op>& t0 = p.threads[0];
  ASSERT_EQ(t0.size(), 9u);
  EXPECT_TRUE(t0[1].bulk && t0[2].bulk && !t0[0].bulk);
  EXPECT_EQ(t0[3].code, OpCode::kWrite);
  EXPECT_EQ(t0[3].slot, 2u);
  EXPECT_TRUE(!t0[4].bulk && t0[5].bulk && t0[5].slot == 1u);
  EXPECT_EQ(t0[6].slot, 3u);  // d
  // a+2 and d are consecutive slots of t0: one bulk free.
  EXPECT_TRUE(!t0[7].bulk && t0[7].slot == 2u);
  EXPECT_TRUE(t0[8].bulk && t0[8].slot == 3u);
  EXPECT_EQ(p.threads[1][0].slot, 1u);
  EXPECT_EQ(PrintProgram(p), text);
  EXPECT_EQ(PrintOpAt(p, 0, 5), "free a+1, member 2 of free a x 2");
  EXPECT_EQ(PrintOpAt(p, 0, 2), "malloc 48 -> a+2, member 3 of malloc 48 x 3 -> a");
  // K = 1 is a plain op.
  EXPECT_EQ(MustParse("threads 1\nt0: malloc 48 x 1 -> a ; free a x 1\n"),
            MustParse("threads 1\nt0: malloc 48 -> a ; free a\n"));
}

struct ErrorCase {
  const char* name;
  const char* text;
  int line;
  int column;
  const char* want;  // a part of the message
};

class ParseErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, NamesLineColumnAndWhatWasExpected) {
  const ErrorCase& c = GetParam();
  ProgramParseError error;
  EXPECT_FALSE(ParseProgram(c.text, &error).has_value());
  EXPECT_EQ(error.line, c.line) << error.ToString();
  EXPECT_EQ(error.column, c.column) << error.ToString();
  EXPECT_NE(error.message.find(c.want), std::string::npos) << error.ToString();
  EXPECT_EQ(error.message.find('\n'), std::string::npos);
  EXPECT_TRUE(error.message.find("expected") != std::string::npos ||
              error.message.find("must be") != std::string::npos)
      << error.ToString();
}

const ErrorCase kErrors[] = {
    {"UnknownOp", "threads 1\nt0: mallc 10 -> a\n", 2, 5, "unknown op 'mallc'"},
    {"BadNumber", "threads 1\nt0: malloc 12x -> a\n", 2, 12, "bad size '12x'"},
    {"SizeOutOfRange", "threads 1\nt0: malloc 8193 -> a\n", 2, 12, "size 8193 is out of range"},
    {"UsedBeforeDefined", "threads 1\nt0: free a ; malloc 1 -> a\n", 2, 10, "used before it is defined"},
    {"OtherThreadsSlot", "threads 2\nt0: malloc 1 -> a\nt1: free a\n", 3, 10, "belongs to t0"},
    {"UnknownSlot", "threads 1\nt0: write q\n", 2, 11, "unknown slot 'q'"},
    {"UnknownSlotForMigrate", "threads 1\nt0: migrate zz page 0\n", 2, 13, "unknown slot 'zz'"},
    {"TooManyThreads", "threads 9\n", 1, 9, "too many threads"},
    {"NoThreads", "threads 0\n", 1, 9, "no threads"},
    {"BadThreadCount", "threads two\n", 1, 9, "bad thread count 'two'"},
    {"ThreadBeyondCount", "threads 2\nt0:\nt1:\nt2: compact\n", 4, 1, "thread t2 but 'threads 2'"},
    {"ThreadBeforeThreads", "t0: compact\nthreads 1\n", 1, 1, "before 'threads N'"},
    {"MissingThreads", "# zsfuzz program v1\n# nothing else\n", 3, 1, "without a 'threads N' line"},
    {"MissingThreadLine", "threads 2\nt0: compact\n", 3, 1, "without a line for t1"},
    {"ThreadOutOfOrder", "threads 2\nt1: compact\n", 2, 1, "out of order"},
    {"ThreadsTwice", "threads 1\nthreads 1\n", 2, 1, "given twice"},
    {"BadSchedule", "threads 1\nt0:\nschedule pct depth=99 seed=1\n", 3, 14, "pct depth must be 1..64"},
    {"UnknownStrategy", "threads 1\nt0:\nschedule fifo\n", 3, 10, "unknown strategy 'fifo'"},
    {"ScheduleKeyTwice", "threads 1\nt0:\nschedule random seed=1 seed=2\n", 3, 24, "given twice"},
    {"MissingStrategy", "threads 1\nt0:\nschedule\n", 3, 10, "missing strategy"},
    {"ScheduleTwice", "threads 1\nt0:\nschedule rr\nschedule rr\n", 4, 1, "given twice"},
    {"PageOutOfRange", "threads 1\nt0: malloc 1 -> a ; isolate a page 16\n", 2, 36,
     "page 16 is out of range"},
    {"MissingPage", "threads 1\nt0: malloc 1 -> a ; putback a\n", 2, 30, "'page P' after the slot"},
    {"ValueOutOfRange", "threads 1\nt0: pressure 1025\n", 2, 14, "value 1025 is out of range"},
    {"MissingValue", "threads 1\nt0: shrink_scan ; compact\n", 2, 17, "shrink_scan needs a number"},
    {"MissingArrow", "threads 1\nt0: malloc 10 a\n", 2, 15, "expected '->'"},
    {"BadSlotName", "threads 1\nt0: malloc 10 -> 7a\n", 2, 18, "bad slot name '7a'"},
    {"SlotDefinedTwice", "threads 1\nt0: malloc 1 -> a ; malloc 2 -> a\n", 2, 33,
     "already defined (line 2, column 17)"},
    {"TrailingSemicolon", "threads 1\nt0: compact ;\n", 2, 14, "expected an op after ';'"},
    {"EmptyOp", "threads 1\nt0: compact ; ; flush\n", 2, 15, "expected an op before ';'"},
    {"ExtraToken", "threads 1\nt0: malloc 1 -> a ; free a a\n", 2, 28, "unexpected 'a' after the free op"},
    {"UnknownStatement", "threads 1\nthread 0: compact\n", 2, 1, "unknown statement 'thread'"},
    {"OpOutsideThread", "threads 1\ncompact\n", 2, 1, "outside a thread line"},
    {"MissingColon", "threads 1\nt0 compact\n", 2, 3, "expected ':' after t0"},
    {"BadChain", "chain 3\nthreads 1\nt0:\n", 1, 7, "bad chain size '3'"},
    {"UnsupportedVersion", "# zsfuzz program v2\nthreads 1\nt0:\n", 1, 18,
     "unsupported program version 'v2'"},
    {"BulkCountZero", "threads 1\nt0: malloc 48 x 0 -> a\n", 2, 17, "count 0"},
    {"BulkCountTooBig", "threads 1\nt0: malloc 48 x 257 -> a\n", 2, 17, "count 257 is out of range"},
    {"BulkCountMissing", "threads 1\nt0: free a x\n", 2, 13, "a count after 'x'"},
    {"MemberBeyondBulk", "threads 1\nt0: malloc 48 x 3 -> a ; write a+3\n", 2, 32, "has 3 member(s)"},
    {"MemberOfPlainSlot", "threads 1\nt0: malloc 48 -> a ; malloc 48 -> b ; write a+1\n", 2, 45,
     "has 1 member(s)"},
    {"BadMember", "threads 1\nt0: malloc 48 x 3 -> a ; write a+x\n", 2, 34, "bad member '+x'"},
    {"BulkFreePastTheEnd", "threads 1\nt0: malloc 48 x 3 -> a ; free a+1 x 3\n", 2, 31,
     "runs past the last slot"},
    {"BulkFreeOfOtherThread", "threads 2\nt0: malloc 32 -> c ; free c x 2\nt1: malloc 48 -> z\n", 2, 27,
     "belongs to t1"},
    // A slot error before a syntax error is the first problem...
    {"SlotErrorFirst", "threads 2\nt0: malloc 1 -> a\nt1: free a\nt1: bogus\n", 3, 10, "belongs to t0"},
    // ...unless the slot might be defined in the part that did not parse.
    {"SyntaxErrorFirst", "threads 2\nt0: migrate later page 0\nt1: bogus\n", 3, 5, "unknown op 'bogus'"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseErrorTest, ::testing::ValuesIn(kErrors),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(TextTest, EveryErrorCaseIsAnErrorOnlyBecauseOfItsFault) {
  // Fixed versions of a few cases parse, so the cases test what they say.
  MustParse("threads 1\nt0: malloc 10 -> a\n");
  MustParse("threads 2\nt0: malloc 1 -> a\nt1: malloc 2 -> b ; free b\n");
  MustParse("threads 1\nt0: malloc 1 -> a ; isolate a page 15\n");
  MustParse("threads 1\nt0:\nschedule pct depth=64 seed=1\n");
  MustParse("threads 2\nt0: migrate later page 0\nt1: malloc 1 -> later\n");
}

}  // namespace
}  // namespace zsfuzz
