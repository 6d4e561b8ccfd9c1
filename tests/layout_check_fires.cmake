# cmake -DCHECK=<layout_check.cmake> -DWORK=<scratch folder> -P layout_check_fires.cmake
#
# layout_check.cmake must fire: on a scratch tree whose oracle/ includes
# fuzzers/ and whose fuzzers/ includes a header by its bare name, it must fail
# and name both files.
file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/fuzzers/tool/flags.h "#pragma once\n")
file(WRITE ${WORK}/oracle/check.cc "#include \"fuzzers/tool/flags.h\"\n")
file(WRITE ${WORK}/fuzzers/tool/main.cc "#include \"flags.h\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -DBUILD=${WORK}/build -P ${CHECK}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "layout_check passed a tree that breaks both rules:\n${out}")
endif()
foreach(expected "oracle/check.cc: includes \"fuzzers/tool/flags.h\": oracle/ may not depend on fuzzers/"
                 "fuzzers/tool/main.cc: \"flags.h\" does not name its folder")
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "layout_check did not report `${expected}`:\n${out}")
  endif()
endforeach()
message("layout_check fires on both rules")
