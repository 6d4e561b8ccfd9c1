// Runs the zsfuzz binary under test and captures what it did.
#pragma once

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace zsfuzz_test {

struct ToolRun {
  int exit_code = -1;  // -1: did not exit normally (signal)
  std::string out;
  std::string err;

  std::vector<std::string> OutLines() const;
  std::vector<std::string> ErrLines() const;
};

// Runs `zsfuzz args...` (the binary CMake built, ZSFUZZ_BINARY) with no shell
// in between, stdout and stderr captured separately.
ToolRun RunZsfuzz(const std::vector<std::string>& args);

// Every registered variant's name.
std::vector<std::string> VariantNames();

// A variant name as a GoogleTest parameter name ("post-rfc-v2" -> "post_rfc_v2").
std::string VariantTestName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace zsfuzz_test
