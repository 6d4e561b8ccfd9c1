# ctest rfc_v2_race_from_the_other_seeds (tsan build): the conc fuzz target
# finds RFC v2's lockless handle race from the seeds that do not reach it as
# they are, within a fixed budget of executions with a fixed libFuzzer seed.
#
#   cmake -DZSFUZZ=<zsfuzz> -DFUZZER=<zs_diff_conc_fuzzer> -DSEEDS=<dir of binary seeds>
#         -DDICT=<zs_diff.dict> -DWORK=<scratch dir> -DRUNS=<budget> -P rfc_v2_race_budget.cmake
#
# A seed reaches the race when `zsfuzz repro` of it against post-rfc-v2 gives
# a TSan report; the others are the corpus. The budget counts every execution,
# the corpus' own included (libFuzzer's -runs).
foreach(var ZSFUZZ FUZZER SEEDS DICT WORK RUNS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "rfc_v2_race_budget.cmake: -D${var}= is missing")
  endif()
endforeach()

set(race "ThreadSanitizer: data race")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus")
file(GLOB seeds "${SEEDS}/*")
set(direct "")
set(others 0)
foreach(seed IN LISTS seeds)
  get_filename_component(name "${seed}" NAME)
  execute_process(COMMAND "${ZSFUZZ}" repro "${seed}" --variants pre,post-rfc-v2 --target conc
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(FIND "${out}" "${race}" at)
  if(at EQUAL -1)
    file(COPY "${seed}" DESTINATION "${WORK}/corpus")
    math(EXPR others "${others} + 1")
  else()
    list(APPEND direct "${name}")
  endif()
endforeach()
list(LENGTH direct nr_direct)
message(STATUS "seeds that reach the race as they are (${nr_direct}): ${direct}")
message(STATUS "the corpus: the other ${others}")
# About something: some seeds are left out, and enough stay to fuzz from.
if(nr_direct EQUAL 0 OR others LESS 5)
  message(FATAL_ERROR "expected some seeds to reach the race and at least 5 not to")
endif()

set(ENV{ZSFUZZ_VARIANTS} "pre,post-rfc-v2")
execute_process(COMMAND "${FUZZER}" -seed=1 -runs=${RUNS} -reload=0 -max_len=2048 "-dict=${DICT}" "${WORK}/corpus"
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(FIND "${out}" "WARNING: ${race}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "no TSan report within ${RUNS} executions:\n${out}")
endif()
# The execution it came at: the last progress line before the report.
string(SUBSTRING "${out}" 0 ${at} before)
string(REGEX MATCHALL "\n#[0-9]+" progress "${before}")
list(GET progress -1 last)
string(STRIP "${last}" last)
message(STATUS "first report after execution ${last} (budget ${RUNS})")
string(REGEX MATCH "SUMMARY: ThreadSanitizer: data race [^\n]*" summary "${out}")
message(STATUS "${summary}")
if(NOT summary MATCHES "zs_post_rfc_v2::(handle_to_obj|record_obj)")
  message(FATAL_ERROR "the first report is not RFC v2's handle race: ${summary}")
endif()
file(REMOVE_RECURSE "${WORK}")
