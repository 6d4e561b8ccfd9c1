# cmake -DROOT=<repository> -DBUILD=<build tree> -P layout_check.cmake
#
# The layout's two rules (README.md "Layout"), checked over every source file:
#   1. arrows point down: allocator/ includes nothing from oracle/, fuzzers/ or
#      tests/; oracle/ nothing from fuzzers/ or tests/; fuzzers/ nothing from tests/;
#   2. every quoted #include names its folder from the repository root, or is a
#      kernel header through the port's kernel door (allocator/kernel/include:
#      "kernel/page.h"), a generated file in the build tree, Abseil or GoogleTest.
#      Inside the port (allocator/zsmalloc, allocator/variants) the variant's
#      own files are found through the variant's folder, as zs_add_variant() sets up.
# Prints one line per violation and fails if there is any.
if(NOT ROOT OR NOT BUILD)
  message(FATAL_ERROR "usage: cmake -DROOT=<repository> -DBUILD=<build tree> -P layout_check.cmake")
endif()

set(forbidden_allocator "oracle/;fuzzers/;tests/")
set(forbidden_oracle "fuzzers/;tests/")
set(forbidden_fuzzers "tests/")
set(violations 0)
set(checked 0)
file(GLOB_RECURSE files RELATIVE ${ROOT}
  ${ROOT}/allocator/*.cc ${ROOT}/allocator/*.h ${ROOT}/allocator/*.inc ${ROOT}/allocator/*.def
  ${ROOT}/oracle/*.cc ${ROOT}/oracle/*.h ${ROOT}/oracle/*.def
  ${ROOT}/fuzzers/*.cc ${ROOT}/fuzzers/*.h
  ${ROOT}/tests/*.cc ${ROOT}/tests/*.h)
foreach(file ${files})
  string(REGEX MATCH "^[a-z]+" top "${file}")
  string(REGEX MATCH "^allocator/(zsmalloc|variants)/" in_port "${file}")
  file(STRINGS ${ROOT}/${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
  foreach(line ${lines})
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" inc "${line}")
    math(EXPR checked "${checked} + 1")
    foreach(prefix ${forbidden_${top}})
      if(inc MATCHES "^${prefix}")
        message("layout: ${file}: includes \"${inc}\": ${top}/ may not depend on ${prefix}")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
    if(EXISTS ${ROOT}/${inc} OR EXISTS ${ROOT}/allocator/kernel/include/${inc} OR EXISTS ${BUILD}/${inc}
       OR inc MATCHES "^(absl|gtest)/")
      continue()
    endif()
    if(in_port OR file STREQUAL "tests/allocator/zsmalloc/obj_encoding_test.cc")
      continue()
    endif()
    message("layout: ${file}: \"${inc}\" does not name its folder from the repository root")
    math(EXPR violations "${violations} + 1")
  endforeach()
endforeach()
list(LENGTH files nfiles)
if(violations GREATER 0)
  message(FATAL_ERROR "layout: ${violations} violation(s) in ${nfiles} files")
endif()
message("layout: ${nfiles} files, ${checked} includes, no violation")
