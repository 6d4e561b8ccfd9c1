# cmake -DZSFUZZ=<zsfuzz> -DATTEMPTS=<n> -P expect_rfc_v2_race.cmake
# Passes once a free-running `zsfuzz stress --variant post-rfc-v2` under TSan
# exits 1 with a data race between zs_free's lockless handle read and a
# record_obj rewriting that handle (zs_page_migrate, or compaction's
# migrate_zspage); fails if ATTEMPTS runs (seeds 1..ATTEMPTS) do not show it.
foreach(seed RANGE 1 ${ATTEMPTS})
  execute_process(
    COMMAND ${ZSFUZZ} stress --variant post-rfc-v2 --threads 4 --ops 200000 --seed ${seed}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${err}" "WARNING: ThreadSanitizer: data race" race)
  string(REGEX MATCH "record_obj[^\n]*\n[^\n]*(zs_page_migrate|obj_malloc[^\n]*\n[^\n]*migrate_zspage)" writer
         "${err}")
  string(REGEX MATCH "handle_to_obj[^=]*zs_free" reader "${err}")
  if(rc EQUAL 1 AND race GREATER -1 AND writer AND reader)
    message(STATUS "seed ${seed}: the RFC v2 handle race was reported (exit ${rc})")
    return()
  endif()
  message(STATUS "seed ${seed}: exit ${rc}, no RFC v2 handle race report")
  if(race GREATER -1)
    # A different race is a failure of its own, not a miss.
    message(FATAL_ERROR "seed ${seed}: an unexpected data race:\n${err}")
  endif()
endforeach()
message(FATAL_ERROR "no run of ${ATTEMPTS} reported the RFC v2 handle race")
