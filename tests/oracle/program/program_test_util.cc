#include "tests/oracle/program/program_test_util.h"

#include "gtest/gtest.h"
#include "oracle/program/text.h"

namespace zsfuzz_test {

zsfuzz::Program MustParse(const std::string& text) {
  zsfuzz::ProgramParseError error;
  std::optional<zsfuzz::Program> p = zsfuzz::ParseProgram(text, &error);
  EXPECT_TRUE(p.has_value()) << error.ToString() << "\n" << text;
  return p.value_or(zsfuzz::Program{});
}

}  // namespace zsfuzz_test
