#!/usr/bin/env bash
# Builds and tests each CMake preset in turn (default, asan, tsan), then the
# fuzz engines (scripts/engines.sh: the fuzz and afl presets built, every
# target run over its seeds), unless steps are named on the command line
# (`scripts/test.sh default`, `scripts/test.sh engines`); stops at the first
# step that fails to configure, build or pass its tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL_PRESETS=(default asan tsan engines)
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

for p in "${presets[@]}"; do
  start=$SECONDS
  log="build/test-$p.log"
  mkdir -p build
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
    continue
  fi
  echo "=== test.sh: preset $p: configure, build (-j$jobs), test"
  if ! cmake --preset "$p" || ! cmake --build --preset "$p" -j"$jobs"; then
    fail_step "preset $p" "configure or build, $((SECONDS - start)) s"
  fi
  rc=0
  ctest --preset "$p" -j"$jobs" --no-tests=error --timeout "$test_timeout" 2>&1 | tee "$log" || rc=$?
  # ctest's own tally: "100% tests passed, 0 tests failed out of 57".
  tally=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1 || true)
  failed=$(echo "$tally" | awk '{print $1}')
  total=$(echo "$tally" | awk '{print $NF}')
  echo "test.sh: preset $p: ${total:-?} tests, ${failed:-?} failed ($((SECONDS - start)) s)"
  sum_passed=$((sum_passed + ${total:-0} - ${failed:-0}))
  sum_failed=$((sum_failed + ${failed:-0}))
  [[ $rc -eq 0 ]] || fail_step "preset $p" "ctest exit $rc, log $log"
  results+=("$p(${total:-?})")
done

echo "test.sh: all passed: ${results[*]} in $((SECONDS - start_all)) s"
# The plain tally over every preset, as the last line.
echo "$sum_passed passed, $sum_failed failed"
