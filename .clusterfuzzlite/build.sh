#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz entry point: the image's environment (CC, CXX, CFLAGS,
# CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, FUZZING_ENGINE, OUT, SRC, WORK) goes to the
# project's build script, which builds both fuzz targets and puts each with its
# seed zip, dictionary and options into $OUT. Abseil comes from $SRC/abseil-cpp.
bash "$SRC/zsfuzz/scripts/oss-fuzz-build.sh"
