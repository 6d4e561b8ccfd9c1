#!/usr/bin/env bash
# Builds and tests each CMake preset in turn (default, asan, tsan), then the
# other simulated kernel configurations (configs: the *-noclass presets,
# default-16k and tsan-16k, their tests labelled config), then the fuzz engines (scripts/engines.sh: the fuzz
# and afl presets built, every target run over its seeds), unless steps are
# named on the command line (`scripts/test.sh default`, `scripts/test.sh
# configs`); stops at the first step that fails to configure, build or pass
# its tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL_PRESETS=(default asan tsan configs engines)
# The configs step: the other configurations (cmake/KernelConfig.cmake) per
# preset family, and what it builds there: the port's tests, the size model's
# and zsfuzz with the fuzz targets, for the tests labelled config. asan-16k is
# left to be run by hand, to keep CI near 40 minutes: from scratch it took
# 682 s on the 2-core machine, against 380 s for default-16k and 457 s for
# tsan-16k.
CONFIG_PRESETS=(default-noclass asan-noclass tsan-noclass default-16k tsan-16k)
CONFIG_TARGETS=(zsmalloc_tests obj_encoding_pre_test obj_encoding_post_test program_sizes_tests zsfuzz
                zs_diff_seq_fuzzer zs_diff_conc_fuzzer)
presets=("$@")
[[ ${#presets[@]} -gt 0 ]] || presets=("${ALL_PRESETS[@]}")
for p in "${presets[@]}"; do
  if [[ ! " ${ALL_PRESETS[*]} " == *" $p "* ]]; then
    echo "test.sh: error: unknown preset '$p'; presets: ${ALL_PRESETS[*]}" >&2
    exit 2
  fi
done

bash scripts/install-deps.sh

jobs=$(nproc)
# A hung test (a deadlock) fails after this many seconds instead of using up the CI budget.
test_timeout=600
start_all=$SECONDS
results=()
sum_passed=0
sum_failed=0

# fail_step STEP WHY: the failure line, the tally so far (at least one
# failure) as the last line, exit 1.
fail_step() {
  echo "test.sh: FAILED at $1 ($2); passed before it: ${results[*]:-none}"
  [[ $sum_failed -gt 0 ]] || sum_failed=1
  echo "$sum_passed passed, $sum_failed failed"
  exit 1
}

# preset_step PRESET [--target T...] [-- CTEST_ARGS...]: configure and build
# PRESET (all of it, or the targets named), run its ctest preset with the
# arguments given, add its tally; a failure ends the script (fail_step).
preset_step() {
  local preset=$1 start=$SECONDS log="build/test-$1.log" rc=0 tally failed total
  shift
  local build_args=() ctest_args=()
  while [[ $# -gt 0 && $1 != -- ]]; do build_args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  ctest_args=("$@")
  echo "=== test.sh: preset $preset: configure, build ${build_args[*]:-all} (-j$jobs), ctest ${ctest_args[*]}"
  if ! cmake --preset "$preset" || ! cmake --build --preset "$preset" -j"$jobs" "${build_args[@]}"; then
    fail_step "preset $preset" "configure or build, $((SECONDS - start)) s"
  fi
  ctest --preset "$preset" -j"$jobs" --no-tests=error --timeout "$test_timeout" "${ctest_args[@]}" 2>&1 |
    tee "$log" || rc=$?
  # ctest's own tally: "100% tests passed, 0 tests failed out of 57".
  tally=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1 || true)
  failed=$(echo "$tally" | awk '{print $1}')
  total=$(echo "$tally" | awk '{print $NF}')
  echo "test.sh: preset $preset: ${total:-?} tests, ${failed:-?} failed ($((SECONDS - start)) s)"
  sum_passed=$((sum_passed + ${total:-0} - ${failed:-0}))
  sum_failed=$((sum_failed + ${failed:-0}))
  [[ $rc -eq 0 ]] || fail_step "preset $preset" "ctest exit $rc, log $log"
  results+=("$preset(${total:-?})")
}

mkdir -p build
for p in "${presets[@]}"; do
  start=$SECONDS
  log="build/test-$p.log"
  if [[ $p == engines ]]; then
    echo "=== test.sh: engines: build the fuzz and afl presets, run every target over its seeds"
    rc=0
    bash scripts/engines.sh 2>&1 | tee "$log" || rc=$?
    tally=$(tail -1 "$log")
    passed=$(echo "$tally" | awk '/passed,/ {print $1}')
    failed=$(echo "$tally" | awk '/passed,/ {print $3}')
    echo "test.sh: engines: ${passed:-?} passed, ${failed:-?} failed ($((SECONDS - start)) s)"
    sum_passed=$((sum_passed + ${passed:-0}))
    sum_failed=$((sum_failed + ${failed:-0}))
    [[ $rc -eq 0 ]] || fail_step engines "log $log"
    results+=("engines(${passed:-?})")
  elif [[ $p == configs ]]; then
    for c in "${CONFIG_PRESETS[@]}"; do preset_step "$c" --target "${CONFIG_TARGETS[@]}" -- -L config; done
  else
    preset_step "$p"
  fi
done

echo "test.sh: all passed: ${results[*]} in $((SECONDS - start_all)) s"
# The plain tally over every preset, as the last line.
echo "$sum_passed passed, $sum_failed failed"
