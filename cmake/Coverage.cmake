# Source-based code coverage, chosen by ZSFUZZ_COVERAGE (set by the coverage
# preset; README.md "Coverage of allocator/"): the whole tree is compiled with
# -fprofile-instr-generate -fcoverage-mapping and every executable links the
# profile runtime, so each process writes a .profraw at exit (LLVM_PROFILE_FILE,
# default ./default.profraw) for llvm-profdata-19 / llvm-cov-19.
# scripts/coverage.sh builds this, runs the seed corpus and prints the report.
# Included after GoogleTest.cmake, so GoogleTest itself is not instrumented.
option(ZSFUZZ_COVERAGE "Source-based coverage instrumentation (-fprofile-instr-generate -fcoverage-mapping)" OFF)

if(ZSFUZZ_COVERAGE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ZSFUZZ_COVERAGE=ON needs clang (the coverage preset uses clang-19)")
  endif()
  add_compile_options(-fprofile-instr-generate -fcoverage-mapping)
  add_link_options(-fprofile-instr-generate)
endif()
