// File: bench_env.h
//
// What a benchmark's figures must be read against, for the header line of
// every `zsfuzz bench`: the build they come from (a sanitizer build runs
// several times slower) and how busy the machine was (on a loaded machine
// exec/s drops and says nothing about the code).
//
// Example:
//   std::printf("zsfuzz bench targets: %s; %s\n", BuildDescription().c_str(),
//               LoadAverageDescription().c_str());
#pragma once

#include <string>

namespace zsfuzz {

// "build default (RelWithDebInfo, sanitizer none, engine driver)": the build
// folder's name (build/<preset>), its CMAKE_BUILD_TYPE, ZSFUZZ_SANITIZER and
// ZSFUZZ_ENGINE, as CMake passed them in.
std::string BuildDescription();

// "load average 0.52 0.40 0.33" (1, 5 and 15 minutes, /proc/loadavg), or
// "load average unknown" where that file cannot be read.
std::string LoadAverageDescription();

}  // namespace zsfuzz
