#!/usr/bin/env bash
# Verifies scripts/oss-fuzz-build.sh as OSS-Fuzz would run it, on this machine's compilers
# (not in CI: three full builds of the tree). For each build
#   asan   libFuzzer + ASan:  clang-19, OSS-Fuzz's ASan CFLAGS, LIB_FUZZING_ENGINE=-fsanitize=fuzzer
#   ubsan  libFuzzer + UBSan: clang-19, OSS-Fuzz's UBSan CFLAGS (the build script drops
#          unsigned-integer-overflow), LIB_FUZZING_ENGINE=-fsanitize=fuzzer
#   afl    AFL++ + ASan: afl-clang-fast/afl-clang-fast++ (LLVM 14), LIB_FUZZING_ENGINE=libAFLDriver.a
# it runs the build script with those variables and OUT=/tmp/oss-check-<build>/out, then runs
# every target it put in OUT over its unzipped <target>_seed_corpus.zip: libFuzzer with
# -runs=N -seed=1 (default 2000), AFL++'s driver once on each seed file and, with
# --afl-seconds S > 0 (default 20), afl-fuzz for S seconds from the seeds. One line per build
# and target; the last line is the tally "N passed, N failed"; exit 1 if anything failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage="usage: scripts/oss-fuzz-check.sh [--only asan,ubsan,afl] [--runs N] [--afl-seconds S]"
builds=(asan ubsan afl)
runs=2000
afl_seconds=20
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help) echo "$usage"; exit 0 ;;
    --only | --runs | --afl-seconds)
      [[ $# -ge 2 ]] || { echo "oss-fuzz-check: error: $1 needs a value; $usage" >&2; exit 2; }
      case $1 in
        --only) IFS=, read -r -a builds <<<"$2" ;;
        --runs) runs=$2 ;;
        --afl-seconds) afl_seconds=$2 ;;
      esac
      shift 2
      ;;
    *) echo "oss-fuzz-check: error: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
done
for b in "${builds[@]}"; do
  [[ $b == asan || $b == ubsan || $b == afl ]] ||
    { echo "oss-fuzz-check: error: unknown build '$b' (asan, ubsan, afl); $usage" >&2; exit 2; }
done
[[ $runs =~ ^[0-9]+$ && $afl_seconds =~ ^[0-9]+$ ]] ||
  { echo "oss-fuzz-check: error: --runs and --afl-seconds take a number; $usage" >&2; exit 2; }

passed=0
failed=0
result() {  # result OK|FAIL LINE
  if [[ $1 == OK ]]; then
    echo "oss-fuzz-check: $2"
    passed=$((passed + 1))
  else
    echo "oss-fuzz-check: $2"
    failed=$((failed + 1))
  fi
}

base="-O1 -fno-omit-frame-pointer -gline-tables-only"
asan="-fsanitize=address -fsanitize-address-use-after-scope"
ub=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr
ub_recover=${ub/unsigned-integer-overflow,/}  # OSS-Fuzz keeps unsigned overflow recoverable
afl_driver=$(ls /usr/lib/afl/libAFLDriver.a /usr/lib/libAFLDriver.a /usr/local/lib/afl/libAFLDriver.a 2>/dev/null | head -1 || true)

for b in "${builds[@]}"; do
  dir=/tmp/oss-check-$b
  rm -rf "$dir/out" "$dir/seeds"
  mkdir -p "$dir"
  case $b in
    asan) env=(CC=clang-19 CXX=clang++-19 "CFLAGS=$base $asan -fsanitize=fuzzer-no-link"
               "CXXFLAGS=$base $asan -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer
               SANITIZER=address FUZZING_ENGINE=libfuzzer) ;;
    ubsan) env=(CC=clang-19 CXX=clang++-19 "CFLAGS=$base -fsanitize=$ub -fno-sanitize-recover=$ub_recover -fsanitize=fuzzer-no-link"
                "CXXFLAGS=$base -fsanitize=$ub -fno-sanitize-recover=$ub_recover -fsanitize=fuzzer-no-link"
                LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=undefined FUZZING_ENGINE=libfuzzer) ;;
    afl)
      if [[ -z $afl_driver ]] || ! command -v afl-clang-fast++ >/dev/null; then
        result FAIL "$b: no AFL++ here (afl-clang-fast++ and libAFLDriver.a; scripts/install-deps.sh)"
        continue
      fi
      env=(CC=afl-clang-fast CXX=afl-clang-fast++ "CFLAGS=$base $asan" "CXXFLAGS=$base $asan"
           "LIB_FUZZING_ENGINE=$afl_driver" SANITIZER=address FUZZING_ENGINE=afl AFL_QUIET=1) ;;
  esac
  echo "=== oss-fuzz-check: $b: ${env[*]} OUT=$dir/out bash scripts/oss-fuzz-build.sh"
  start=$SECONDS
  if ! env "${env[@]}" OUT="$dir/out" bash scripts/oss-fuzz-build.sh >"$dir/build.log" 2>&1; then
    tail -20 "$dir/build.log"
    result FAIL "$b: build FAILED (log $dir/build.log)"
    continue
  fi
  result OK "$b: build passed in $((SECONDS - start)) s: $(ls "$dir/out" | tr '\n' ' ')"
  for zip in "$dir"/out/*_seed_corpus.zip; do
    t=$(basename "$zip" _seed_corpus.zip)
    seeds=$dir/seeds/$t
    mkdir -p "$seeds"
    (cd "$seeds" && unzip -oq "$zip")
    n=$(ls "$seeds" | wc -l)
    log=$dir/$t.log
    rc=0
    if [[ $b != afl ]]; then
      (cd "$dir" && "$dir/out/$t" -runs="$runs" -seed=1 "$seeds") >"$log" 2>&1 || rc=$?
      done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | awk '{print $1, "cov", $4, "corp", $8}' || true)
      if [[ $rc -eq 0 ]] && ! grep -qE 'ERROR: |runtime error:|WARNING: ' "$log"; then
        result OK "$b $t: passed: -runs=$runs over $n seeds, exit 0, ${done_line:-?} (log $log)"
      else
        result FAIL "$b $t: FAILED: exit $rc (log $log)"
      fi
      continue
    fi
    # AFL++: the driver runs each file given once, outside afl-fuzz.
    "$dir/out/$t" "$seeds"/* >"$log" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]] && ! grep -qE 'ERROR: |runtime error:' "$log"; then
      result OK "$b $t: passed: each of $n seeds run by the driver, exit 0 (log $log)"
    else
      result FAIL "$b $t: FAILED: the driver over the seeds exited $rc (log $log)"
    fi
    [[ $afl_seconds -gt 0 ]] || continue
    rm -rf "$dir/afl-$t"
    rc=0
    AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      afl-fuzz -V "$afl_seconds" -i "$seeds" -o "$dir/afl-$t" -- "$dir/out/$t" >"$dir/afl-$t.log" 2>&1 || rc=$?
    stats=$dir/afl-$t/default/fuzzer_stats
    execs=$(awk -F': ' '/^execs_done/ {print $2}' "$stats" 2>/dev/null || true)
    crashes=$(awk -F': ' '/^saved_crashes|^unique_crashes/ {print $2}' "$stats" 2>/dev/null | head -1 || true)
    if [[ $rc -eq 0 && -n $execs && ${crashes:-0} -eq 0 ]]; then
      result OK "$b $t: afl-fuzz passed: $afl_seconds s, $execs execs, 0 crashes (log $dir/afl-$t.log)"
    else
      result FAIL "$b $t: afl-fuzz FAILED: exit $rc, execs ${execs:-?}, crashes ${crashes:-?} (log $dir/afl-$t.log)"
    fi
  done
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
