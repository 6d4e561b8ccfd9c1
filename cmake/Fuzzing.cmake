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
#   external   OSS-Fuzz / ClusterFuzzLite (scripts/oss-fuzz-build.sh): the compilers,
#              the sanitizer and the engine's compile flags all come from CC, CXX,
#              CFLAGS and CXXFLAGS; this file adds none of its own, and targets link
#              ZSFUZZ_LIB_FUZZING_ENGINE (OSS-Fuzz's $LIB_FUZZING_ENGINE: -fsanitize=fuzzer,
#              or a driver archive such as libAFLDriver.a). ZSFUZZ_SANITIZER must be
#              none. Only the targets and what they depend on are built.
# Included after GoogleTest.cmake, so GoogleTest itself is not instrumented.
set(ZSFUZZ_ENGINE "driver" CACHE STRING "Fuzz engine wiring: driver, libfuzzer, afl or external")
set_property(CACHE ZSFUZZ_ENGINE PROPERTY STRINGS driver libfuzzer afl external)
set(ZSFUZZ_LIB_FUZZING_ENGINE "" CACHE STRING
  "ZSFUZZ_ENGINE=external: what the fuzz targets link for their main() ($LIB_FUZZING_ENGINE)")

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
elseif(ZSFUZZ_ENGINE STREQUAL "external")
  if(NOT ZSFUZZ_SANITIZER STREQUAL "none")
    message(FATAL_ERROR "ZSFUZZ_ENGINE=external takes its sanitizer from CFLAGS/CXXFLAGS: "
                        "ZSFUZZ_SANITIZER must be none, not '${ZSFUZZ_SANITIZER}'")
  endif()
  if(ZSFUZZ_LIB_FUZZING_ENGINE STREQUAL "")
    message(FATAL_ERROR "ZSFUZZ_ENGINE=external needs ZSFUZZ_LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)")
  endif()
  # The one thing added: when CFLAGS give libFuzzer's coverage, the harness is
  # left out of it as in the libfuzzer wiring (a filter, no instrumentation).
  if("${CMAKE_CXX_FLAGS}" MATCHES "-fsanitize=[a-z,-]*fuzzer-no-link")
    add_compile_options(${zs_coverage_ignorelist})
  endif()
else()
  message(FATAL_ERROR "ZSFUZZ_ENGINE must be driver, libfuzzer, afl or external, not '${ZSFUZZ_ENGINE}'")
endif()

if(NOT ZSFUZZ_ENGINE MATCHES "^(afl|external)$")
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
# engine: libFuzzer (clang-19) or libAFLDriver (afl-clang-lto++); in the
# external wiring whatever ZSFUZZ_LIB_FUZZING_ENGINE says, after the objects.
function(zs_link_fuzz_engine target)
  if(ZSFUZZ_ENGINE STREQUAL "external")
    separate_arguments(engine UNIX_COMMAND "${ZSFUZZ_LIB_FUZZING_ENGINE}")
    target_link_libraries(${target} PRIVATE ${engine})
  else()
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
