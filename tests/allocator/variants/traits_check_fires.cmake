# cmake -DTRAITS=<allocator/variants/traits.cmake> -DWORK=<scratch folder> -P traits_check_fires.cmake
#
# zs_add_variant()'s TRAITS rule (allocator/variants/traits.cmake): a variant
# that declares no traits, or an unknown one, is a configure error with one
# clear message; `TRAITS none` and known traits give the port its defines.
cmake_minimum_required(VERSION 3.25)
include(${TRAITS})
file(MAKE_DIRECTORY ${WORK})

# Each bad declaration ("GIVEN traits...|message"), run as its own script:
# it must fail with the message.
set(cases
  "FALSE|no TRAITS: declare what its code does with TRAITS <trait>... or TRAITS none"
  "TRUE|no TRAITS: declare what its code does"
  "TRUE class_in_obj lockless|unknown trait 'lockless'"
  "TRUE none class_in_obj|TRAITS none cannot be combined with other traits"
  "TRUE class_in_obj class_in_obj|TRAITS class_in_obj class_in_obj names a trait twice")
set(n 0)
foreach(case ${cases})
  string(FIND "${case}" "|" bar)
  string(SUBSTRING "${case}" 0 ${bar} args)
  math(EXPR bar "${bar} + 1")
  string(SUBSTRING "${case}" ${bar} -1 expected)
  string(REGEX REPLACE "^([A-Z]+) ?(.*)$" "\\1 defs traits \\2" call "${args}")
  math(EXPR n "${n} + 1")
  file(WRITE ${WORK}/case${n}.cmake
    "cmake_minimum_required(VERSION 3.25)\ninclude(${TRAITS})\nzs_variant_traits(\"zs_add_variant(bad)\" ${call})\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -P ${WORK}/case${n}.cmake
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(REGEX REPLACE "[ \t\n]+" " " flat "${out}")
  if(rc EQUAL 0)
    message(FATAL_ERROR "TRAITS ${args}: accepted, must be a configure error:\n${out}")
  endif()
  string(FIND "${flat}" "zs_add_variant(bad): ${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "TRAITS ${args}: did not report `zs_add_variant(bad): ${expected}`:\n${out}")
  endif()
endforeach()

# Good declarations: the defines the port's table is built from.
zs_variant_traits("zs_add_variant(base)" TRUE defs traits none)
if(NOT defs STREQUAL "ZS_VARIANT_TRAITS_DECLARED=1;ZS_TRAIT_CLASS_IN_OBJ=0;ZS_TRAIT_FREE_WITHOUT_POOL_LOCK=0;ZS_TRAIT_FREES_PAGES_OUTSIDE_CLASS_LOCK=0"
   OR NOT traits STREQUAL "none")
  message(FATAL_ERROR "TRAITS none: defines ${defs}, traits ${traits}")
endif()
zs_variant_traits("zs_add_variant(step)" TRUE defs traits free_without_pool_lock class_in_obj)
if(NOT defs STREQUAL "ZS_VARIANT_TRAITS_DECLARED=1;ZS_TRAIT_CLASS_IN_OBJ=1;ZS_TRAIT_FREE_WITHOUT_POOL_LOCK=1;ZS_TRAIT_FREES_PAGES_OUTSIDE_CLASS_LOCK=0"
   OR NOT traits STREQUAL "free_without_pool_lock;class_in_obj")
  message(FATAL_ERROR "TRAITS free_without_pool_lock class_in_obj: defines ${defs}, traits ${traits}")
endif()
message("zs_add_variant's TRAITS rule fires on ${n} bad declarations and passes good ones")
