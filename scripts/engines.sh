#!/usr/bin/env bash
# Builds the fuzz-engine presets that the ctest presets do not cover and runs
# every fuzz target once over its seeds, so a change that breaks an engine
# build fails the tests (scripts/test.sh runs this as its "engines" step):
#   fuzz  libFuzzer + ASan + UBSan (the OSS-Fuzz build): each target with
#         -runs=0 over build/fuzz/corpus/<target>/, every seed executed once
#   afl   AFL++ (afl-clang-lto++, libAFLDriver): each target with the seed
#         files as arguments, which the driver runs once each outside afl-fuzz
# A seed that crashes, a finding (the targets abort on one) or a failed build
# fails the step. The last line is the tally: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=$(nproc)
passed=0
failed=0

check() {  # check NAME COMMAND...: one line per check, counted
  local name=$1 log
  shift
  log="build/engines-$name.log"
  if "$@" >"$log" 2>&1; then
    echo "engines.sh: $name: passed"
    passed=$((passed + 1))
  else
    echo "engines.sh: $name: FAILED (log $log):"
    tail -20 "$log"
    failed=$((failed + 1))
  fi
}

for p in fuzz afl; do
  echo "=== engines.sh: preset $p: configure, build (-j$jobs)"
  mkdir -p build
  if ! cmake --preset "$p" >"build/engines-$p-configure.log" 2>&1 ||
    ! cmake --build --preset "$p" -j"$jobs"; then
    echo "engines.sh: preset $p: FAILED to configure or build (build/engines-$p-configure.log)"
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
  fi
done

for t in seq conc; do
  seeds=build/fuzz/corpus/diff_$t
  check "fuzz-$t" env ASAN_OPTIONS=detect_leaks=1 ZSFUZZ_VARIANTS=pre,post \
    "build/fuzz/bin/zs_diff_${t}_fuzzer" -runs=0 "$seeds"
  check "afl-$t" env ZSFUZZ_VARIANTS=pre,post "build/afl/bin/zs_diff_${t}_fuzzer" "$seeds"/*
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
