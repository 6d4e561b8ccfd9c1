#include "fuzzers/tool/bench_env.h"

#include <fstream>

#include "absl/strings/str_format.h"

// CMakeLists.txt defines these for this file only, so a change of build
// settings recompiles one file.
#if !defined(ZSFUZZ_BUILD_NAME) || !defined(ZSFUZZ_BUILD_TYPE) || !defined(ZSFUZZ_BUILD_SANITIZER) || \
    !defined(ZSFUZZ_BUILD_ENGINE)
#error "ZSFUZZ_BUILD_NAME, _TYPE, _SANITIZER and _ENGINE come from fuzzers/tool/CMakeLists.txt"
#endif

namespace zsfuzz {

std::string BuildDescription() {
  return absl::StrFormat("build %s (%s, sanitizer %s, engine %s)", ZSFUZZ_BUILD_NAME, ZSFUZZ_BUILD_TYPE,
                         ZSFUZZ_BUILD_SANITIZER, ZSFUZZ_BUILD_ENGINE);
}

std::string LoadAverageDescription() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "load average unknown";
  return absl::StrFormat("load average %s %s %s", one, five, fifteen);
}

}  // namespace zsfuzz
