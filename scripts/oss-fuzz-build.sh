#!/usr/bin/env bash
# The OSS-Fuzz / ClusterFuzzLite build (.clusterfuzzlite/build.sh calls it):
# everything comes from the environment as OSS-Fuzz sets it.
#   CC, CXX                 the compilers (clang, or afl-clang-fast/afl-clang-lto for AFL++)
#   CFLAGS, CXXFLAGS        every compile flag: sanitizer, coverage instrumentation, -O, -stdlib
#   LIB_FUZZING_ENGINE      what a target links for its main(): -fsanitize=fuzzer, or a driver
#                           archive such as libAFLDriver.a
#   SANITIZER               address, undefined, coverage, introspector or none (optional;
#                           thread and memory are refused, below)
#   FUZZING_ENGINE          libfuzzer, afl, honggfuzz, centipede or none (optional)
#   OUT                     where each target, <target>_seed_corpus.zip, <target>.dict and
#                           <target>.options go
#   WORK, SRC               optional: the build goes to $WORK/zsfuzz-build (else
#                           build/oss-fuzz-<sanitizer>-<engine>/, or ZSFUZZ_BUILD_DIR);
#                           Abseil's sources in $SRC/abseil-cpp (or ZSFUZZ_ABSL_SRC) are built
#                           with the same flags first (the OSS-Fuzz image: libc++)
# CMake runs with ZSFUZZ_ENGINE=external (cmake/Fuzzing.cmake), which adds no sanitizer or engine
# flags of its own, builds the fuzz targets and what they need only, and installs the `fuzzers`
# component (the targets and their files, fuzzers/targets/CMakeLists.txt) into $OUT.
# The sanitizer-specific code (the scheduler's ASan and TSan fiber hooks, the kernel's ASan
# poisoning) tests __has_feature, so a sanitizer given in CFLAGS alone gets its hooks.
# Exit 0 when every target and its files are in $OUT; a missing or bad variable is one
# error line and exit 2; a failed configure, build or install exits 1.
set -euo pipefail

usage="usage: CC=... CXX=... CFLAGS=... CXXFLAGS=... LIB_FUZZING_ENGINE=... [SANITIZER=...] [FUZZING_ENGINE=...] OUT=DIR bash scripts/oss-fuzz-build.sh"
if [[ $# -gt 0 ]]; then
  if [[ $1 == -h || $1 == --help ]]; then
    echo "$usage"
    echo "(all settings come from the environment, as OSS-Fuzz sets them; the header of this script says more)"
    exit 0
  fi
  echo "oss-fuzz-build: error: takes no arguments, only environment variables; $usage" >&2
  exit 2
fi

die() {  # die CODE MESSAGE: one error line, exit CODE
  echo "oss-fuzz-build: error: $2" >&2
  exit "$1"
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

[[ -n ${OUT:-} ]] || die 2 "OUT is not set: set OUT to the directory the targets go to"
[[ -n ${CC:-} ]] || die 2 "CC is not set: set CC to the C compiler (e.g. clang)"
[[ -n ${CXX:-} ]] || die 2 "CXX is not set: set CXX to the C++ compiler (e.g. clang++)"
[[ -n ${LIB_FUZZING_ENGINE:-} ]] ||
  die 2 "LIB_FUZZING_ENGINE is not set: set it to the engine's link flags (e.g. -fsanitize=fuzzer)"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
sanitizer=${SANITIZER:-none}
engine=${FUZZING_ENGINE:-libfuzzer}

case $sanitizer in
  address | undefined | coverage | introspector | none) ;;
  thread) die 2 "SANITIZER=thread: TSan is not offered on OSS-Fuzz; use scripts/tsan-corpus-replay.sh" ;;
  memory) die 2 "SANITIZER=memory: MSan is not offered (project.yaml lists address and undefined; an MSan build has not been tried)" ;;
  *) die 2 "SANITIZER='$sanitizer' is not one of address, undefined, coverage, introspector, none" ;;
esac
case $engine in
  libfuzzer | afl | honggfuzz | centipede | none) ;;
  *) die 2 "FUZZING_ENGINE='$engine' is not one of libfuzzer, afl, honggfuzz, centipede, none" ;;
esac
for tool in "${CC%% *}" "${CXX%% *}" cmake; do
  command -v "$tool" >/dev/null || die 2 "'$tool' not found on PATH"
done
# The sanitizers the flags ask for: every -fsanitize= word's list, less -fno-sanitize= ones.
flag_sanitizers=" "
for word in $CFLAGS $CXXFLAGS; do
  [[ $word == -fsanitize=* ]] && flag_sanitizers+="${word#-fsanitize=} "
done
flag_sanitizers=" ${flag_sanitizers//,/ } "
# A sanitizer the flags do not carry is a broken environment, not a choice.
case $sanitizer in
  address) [[ $flag_sanitizers == *" address "* ]] ||
    die 2 "SANITIZER=address but CFLAGS/CXXFLAGS carry no -fsanitize=address" ;;
  undefined) [[ $flag_sanitizers == *[a-z]* ]] ||
    die 2 "SANITIZER=undefined but CFLAGS/CXXFLAGS carry no -fsanitize=..." ;;
esac
[[ $flag_sanitizers != *" thread "* ]] ||
  die 2 "CFLAGS/CXXFLAGS ask for TSan: TSan is not offered on OSS-Fuzz; use scripts/tsan-corpus-replay.sh"

# OSS-Fuzz's UBSan flags include unsigned-integer-overflow (recoverable there, and
# ClusterFuzz runs with silence_unsigned_overflow=1). The tree wraps unsigned
# arithmetic on purpose: the scheduler's splitmix64 (allocator/kernel/sched/prng.h)
# multiplies modulo 2^64 and trips the check on the first input, so that one check
# is dropped.
if [[ $flag_sanitizers == *" unsigned-integer-overflow "* || $flag_sanitizers == *" integer "* ]]; then
  echo "oss-fuzz-build: dropping -fsanitize=unsigned-integer-overflow (intended wraparound, e.g. allocator/kernel/sched/prng.h)"
  CFLAGS="$CFLAGS -fno-sanitize=unsigned-integer-overflow"
  CXXFLAGS="$CXXFLAGS -fno-sanitize=unsigned-integer-overflow"
fi

mkdir -p "$OUT" || die 2 "cannot create OUT=$OUT"
OUT=$(cd "$OUT" && pwd)
if [[ -n ${ZSFUZZ_BUILD_DIR:-} ]]; then
  build=$ZSFUZZ_BUILD_DIR
elif [[ -n ${WORK:-} ]]; then
  build=$WORK/zsfuzz-build
else
  build=$repo/build/oss-fuzz-$sanitizer-$engine
fi
jobs=${ZSFUZZ_JOBS:-$(nproc)}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

echo "oss-fuzz-build: SANITIZER=$sanitizer FUZZING_ENGINE=$engine CC=$CC CXX=$CXX"
echo "oss-fuzz-build: CXXFLAGS=$CXXFLAGS"
echo "oss-fuzz-build: LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE OUT=$OUT build=$build"

# Abseil from source when its sources are there (the OSS-Fuzz image builds with
# -stdlib=libc++, against which a distribution's libabsl does not link);
# otherwise find_package(absl) takes the system's (Debian's libabsl-dev).
prefix_path=()
absl_src=${ZSFUZZ_ABSL_SRC:-${SRC:+$SRC/abseil-cpp}}
if [[ -n $absl_src && -f $absl_src/CMakeLists.txt ]]; then
  # One Abseil build per compiler and flags, should $WORK outlive a job.
  absl_dir=$build-absl-$(echo "$CC $CXX $CFLAGS $CXXFLAGS" | md5sum | cut -c1-12)
  absl_prefix=$absl_dir/install
  if [[ ! -f $absl_prefix/.zsfuzz-done ]]; then
    echo "oss-fuzz-build: building Abseil from $absl_src into $absl_prefix"
    cmake "${generator[@]}" -S "$absl_src" -B "$absl_dir/build" \
      -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
      -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_BUILD_TYPE= \
      -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON -DABSL_BUILD_TESTING=OFF \
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$absl_prefix" >/dev/null ||
      die 1 "configuring Abseil failed ($absl_dir/build)"
    cmake --build "$absl_dir/build" -j"$jobs" >/dev/null || die 1 "building Abseil failed ($absl_dir/build)"
    cmake --install "$absl_dir/build" >/dev/null || die 1 "installing Abseil failed"
    touch "$absl_prefix/.zsfuzz-done"
  fi
  prefix_path=(-DCMAKE_PREFIX_PATH="$absl_prefix")
fi

mkdir -p "$build"
echo "oss-fuzz-build: configure"
cmake "${generator[@]}" -S "$repo" -B "$build" "${prefix_path[@]}" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_BUILD_TYPE= \
  -DZSFUZZ_SANITIZER=none -DZSFUZZ_ENGINE=external \
  -DZSFUZZ_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" >"$build/oss-fuzz-configure.log" 2>&1 ||
  { tail -20 "$build/oss-fuzz-configure.log" >&2; die 1 "configure failed (log $build/oss-fuzz-configure.log)"; }

# `all` in the external wiring is the fuzz targets, their files and the libraries they link.
echo "oss-fuzz-build: build (-j$jobs)"
cmake --build "$build" -j"$jobs" || die 1 "build failed ($build)"

echo "oss-fuzz-build: install the fuzzers component into $OUT"
cmake --install "$build" --prefix "$OUT" --component fuzzers >/dev/null || die 1 "install into $OUT failed"

# Every installed target must have its three files beside it.
targets=()
while read -r f; do
  name=$(basename "$f")
  [[ -x $OUT/$name && $name != *.* ]] && targets+=("$name")
done <"$build/install_manifest_fuzzers.txt"
[[ ${#targets[@]} -gt 0 ]] || die 1 "no fuzz target was installed into $OUT"
for t in "${targets[@]}"; do
  for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
    [[ -s $OUT/$f ]] || die 1 "$OUT/$f is missing after the install"
  done
  echo "oss-fuzz-build: $OUT/$t (+ ${t}_seed_corpus.zip, $t.dict, $t.options)"
done
echo "oss-fuzz-build: done: ${#targets[@]} targets in $OUT"
