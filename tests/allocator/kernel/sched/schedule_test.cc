// Schedule text form: round trips and parse errors.
#include <gtest/gtest.h>

#include "allocator/kernel/sched/schedule.h"

namespace zs_sched {
namespace {

Schedule MustParse(const std::string& text) {
  std::string error;
  std::optional<Schedule> s = Schedule::Parse(text, &error);
  EXPECT_TRUE(s.has_value()) << text << ": " << error;
  return s.value_or(Schedule{});
}

std::string ParseError(const std::string& text) {
  std::string error;
  EXPECT_FALSE(Schedule::Parse(text, &error).has_value()) << text;
  return error;
}

TEST(SchedScheduleTest, CanonicalTextRoundTrips) {
  for (const char* text : {
           "schedule random seed=5",
           "schedule random seed=5 data=0,1,1,2,0",
           "schedule pct depth=2 seed=17",
           "schedule pct depth=3 seed=0 steps=250",
           "schedule pct depth=1 seed=18446744073709551615 data=7",
           "schedule rr",
           "schedule rr quantum=4",
           "schedule rr quantum=2 seed=9 data=1,0",
       }) {
    const Schedule s = MustParse(text);
    EXPECT_EQ(s.ToString(), text);
    EXPECT_EQ(MustParse(s.ToString()), s);
  }
}

TEST(SchedScheduleTest, ValuesRoundTrip) {
  Schedule pct = Schedule::Pct(4, 123);
  pct.steps = 77;
  pct.data = {3, 1, 4, 1, 5};
  Schedule rr = Schedule::RoundRobin();
  rr.quantum = 3;
  for (const Schedule& s : {Schedule::Random(0), Schedule::Random(99), pct, rr})
    EXPECT_EQ(MustParse(s.ToString()), s);
}

TEST(SchedScheduleTest, AcceptsLooseForms) {
  EXPECT_EQ(MustParse("pct seed=17 depth=2"), Schedule::Pct(2, 17));  // no "schedule", any key order
  EXPECT_EQ(MustParse("  schedule\trr  "), Schedule::RoundRobin());
  Schedule bare = MustParse("schedule 0 1 1 2 0");  // DESIGN.md's bare data form
  EXPECT_EQ(bare.strategy, Strategy::kRandom);
  EXPECT_EQ(bare.data, (std::vector<uint32_t>{0, 1, 1, 2, 0}));
  EXPECT_EQ(bare.ToString(), "schedule random seed=0 data=0,1,1,2,0");
}

TEST(SchedScheduleTest, ParseErrorsNameTheProblem) {
  EXPECT_EQ(ParseError(""), "schedule: missing strategy (expected random, pct, rr or schedule data)");
  EXPECT_EQ(ParseError("schedule dfs"), "schedule: unknown strategy 'dfs' (expected random, pct or rr)");
  EXPECT_EQ(ParseError("schedule pct depth=0 seed=1"), "schedule: pct depth must be 1..64, got 0");
  EXPECT_EQ(ParseError("schedule pct depth=65"), "schedule: pct depth must be 1..64, got 65");
  EXPECT_EQ(ParseError("schedule random depth=2"),
            "schedule: unknown key 'depth' for random (expected seed, data)");
  EXPECT_EQ(ParseError("schedule rr seed=x"), "schedule: bad number 'x' for seed");
  EXPECT_EQ(ParseError("schedule rr seed=-1"), "schedule: bad number '-1' for seed");
  EXPECT_EQ(ParseError("schedule random seed=1 seed=2"), "schedule: key 'seed' given twice");
  EXPECT_EQ(ParseError("schedule random data=0,,1"),
            "schedule: bad schedule data '' in 'data=0,,1' (expected comma-separated numbers 0..4294967295)");
  EXPECT_EQ(ParseError("schedule random 5"),
            "schedule: expected key=value, got '5' (keys for random: seed, data)");
  EXPECT_EQ(ParseError("schedule 0 1 x"),
            "schedule: bad schedule data 'x' (expected a number 0..4294967295)");
  EXPECT_EQ(ParseError("schedule rr quantum=0"), "schedule: rr quantum must be 1..4294967295, got 0");
  EXPECT_EQ(ParseError("schedule pct steps=0"), "schedule: pct steps must be at least 1, got 0");
}

}  // namespace
}  // namespace zs_sched
