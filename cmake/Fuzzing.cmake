# Coverage feedback and fuzz-engine linkage, chosen by ZSFUZZ_ENGINE (set by
# the presets; README.md "Builds"):
#   driver     default, asan, tsan, coverage: the tree is compiled with sancov inline
#              8-bit counters and a PC table, and `zsfuzz run` drives the targets
#              through libFuzzer's LLVMFuzzerRunDriver (libclang_rt.fuzzer_no_main).
#   libfuzzer  fuzz, fuzz-tsan: -fsanitize=fuzzer-no-link for the whole tree
#              (counters, PC table, compare tracing); targets link -fsanitize=fuzzer.
#   afl        afl: afl-clang-lto instruments at link time; targets link
#              -fsanitize=fuzzer, which with AFL++'s compiler means libAFLDriver
#              (persistent mode, shared-memory input). Only the targets and what
#              they depend on are built: zsfuzz run needs libFuzzer's counters.
# Included after GoogleTest.cmake, so GoogleTest itself is not instrumented.
set(ZSFUZZ_ENGINE "driver" CACHE STRING "Fuzz engine wiring: driver, libfuzzer or afl")
set_property(CACHE ZSFUZZ_ENGINE PROPERTY STRINGS driver libfuzzer afl)

# Both libFuzzer wirings leave the harness out of the coverage feedback
# (cmake/coverage-ignorelist.txt says what and why); AFL++ instruments it all.
set(zs_coverage_ignorelist "-fsanitize-coverage-ignorelist=${CMAKE_CURRENT_LIST_DIR}/coverage-ignorelist.txt")
if(ZSFUZZ_ENGINE STREQUAL "driver")
  add_compile_options(-fsanitize-coverage=inline-8bit-counters,pc-table ${zs_coverage_ignorelist})
elseif(ZSFUZZ_ENGINE STREQUAL "libfuzzer")
  add_compile_options(-fsanitize=fuzzer-no-link ${zs_coverage_ignorelist})
elseif(ZSFUZZ_ENGINE STREQUAL "afl")
  if(NOT CMAKE_CXX_COMPILER MATCHES "afl-")
    message(FATAL_ERROR "ZSFUZZ_ENGINE=afl needs CMAKE_CXX_COMPILER=afl-clang-lto++ (use the afl preset)")
  endif()
else()
  message(FATAL_ERROR "ZSFUZZ_ENGINE must be driver, libfuzzer or afl, not '${ZSFUZZ_ENGINE}'")
endif()

if(NOT ZSFUZZ_ENGINE STREQUAL "afl")
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.fuzzer_no_main-x86_64.a
    OUTPUT_VARIABLE zs_fuzzer_no_main OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT EXISTS "${zs_fuzzer_no_main}")
    message(FATAL_ERROR "libclang_rt.fuzzer_no_main-x86_64.a not found by ${CMAKE_CXX_COMPILER}: "
                        "install libclang-rt-19-dev (scripts/install-deps.sh)")
  endif()
  set(zs_fuzzer_no_main "${zs_fuzzer_no_main}" CACHE INTERNAL "")
  add_library(zs_libfuzzer_no_main STATIC IMPORTED GLOBAL)
  set_target_properties(zs_libfuzzer_no_main PROPERTIES IMPORTED_LOCATION "${zs_fuzzer_no_main}")
  # Without a sanitizer runtime nothing defines the sancov init callbacks the
  # counters call at startup; libFuzzer does, so every executable links it
  # (only the members that resolve something are pulled in).
  if(ZSFUZZ_ENGINE STREQUAL "driver" AND ZSFUZZ_SANITIZER STREQUAL "none")
    link_libraries(zs_libfuzzer_no_main)
  endif()
endif()

# zs_link_fuzzer_no_main(<target>): the whole of libFuzzer without its main(),
# for a binary that calls LLVMFuzzerRunDriver itself.
# (Link options rather than a library item: the archive may also be on the
# line as a plain library, and CMake refuses one library with two features.)
function(zs_link_fuzzer_no_main target)
  target_link_options(${target} PRIVATE "LINKER:--whole-archive" "${zs_fuzzer_no_main}" "LINKER:--no-whole-archive")
endfunction()

# zs_link_fuzz_engine(<target>): a fuzz target binary, its main() from the
# engine: libFuzzer (clang-19) or libAFLDriver (afl-clang-lto++).
function(zs_link_fuzz_engine target)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endfunction()
