#!/usr/bin/env bash
# The throughput figures of the two differential fuzz targets, against a trivial target as the
# yardstick (README.md, "Performance"), in one command:
#
#   1. instructions per execution, which do not depend on the machine or its load: each engine
#      binary of BUILD_DIR/bin (zs_diff_seq_fuzzer, zs_diff_conc_fuzzer, and zs_trivial_fuzzer,
#      which only decodes its input, fuzzers/targets/trivial_target.h) runs under
#      `valgrind --tool=callgrind` over its seeds (the binary form the build encodes into
#      BUILD_DIR/corpus/diff_<kind>/, the form fuzzing runs; the trivial target gets both targets'
#      seeds), once with the files listed once and once listed twice. libFuzzer runs every file it
#      is given once, so (Ir twice - Ir once) / N is the instructions per execution without the
#      start-up. The binaries are copied and stripped of their debug info first: valgrind 3.19
#      cannot read clang-19's DWARF 5 and gives up otherwise. Sanitizer builds are left out
#      (valgrind cannot run them). Then instructions per scheduler step: zs_sched_step_cost runs
#      one execution whose steps are all alike (cond_resched, or spin_lock and spin_unlock, on one
#      or more virtual threads) with N and 2N yields; the difference in Ir over the difference in
#      steps is the cost of one step.
#   2. `zsfuzz bench targets --seconds S` (exec/s, and scheduler steps per execution) of
#      BUILD_DIR and of build/default, build/asan and build/tsan where they are built.
#
#   bash scripts/bench-targets.sh [BUILD_DIR] [--seconds S] [--variants A,B] [--corpus DIR]
#
#   BUILD_DIR       the build whose engine binaries callgrind runs (default build/default)
#   --seconds S     seconds per target of each `zsfuzz bench targets` (default 3)
#   --variants A,B  the variant pair the targets compare (default pre,post)
#   --corpus DIR    inputs instead of the seeds, for both parts: DIR/diff_seq/* for seq and
#                   DIR/diff_conc/* for conc (binary programs, as a campaign's corpus holds
#                   them; README.md, "Performance", says how to grow one)
#
# Without valgrind the first part is one line saying so, and the second runs. Nothing is built:
# build first (`cmake --preset default && cmake --build build/default`).
#
# Exit status: 0 done, 1 a binary missing or a run failed (one line on stderr saying which),
# 2 a usage error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { echo "bench-targets: $*" >&2; }
die() { echo "bench-targets: error: $*" >&2; exit 1; }
usage() {
  echo "bench-targets: error: $*; usage: bash scripts/bench-targets.sh [BUILD_DIR] [--seconds S] [--variants A,B] [--corpus DIR]" >&2
  exit 2
}

build=""
seconds=3
variants=pre,post
corpus=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) [[ $# -ge 2 ]] || usage "--seconds needs a value"; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --variants) [[ $# -ge 2 && "$2" == ?*,?* ]] || usage "--variants needs a pair A,B"; variants=$2; shift 2 ;;
    --variants=?*,?*) variants=${1#--variants=}; shift ;;
    --corpus) [[ $# -ge 2 ]] || usage "--corpus needs a folder"; corpus=$2; shift 2 ;;
    --corpus=?*) corpus=${1#--corpus=}; shift ;;
    -h|--help) sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage "unknown flag '$1'" ;;
    *) [[ -z "$build" ]] || usage "one BUILD_DIR only, got '$build' and '$1'"; build=$1; shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || usage "--seconds '$seconds' is not a number of seconds"
# A relative --corpus names a folder from where the script was started.
if [[ -n "$corpus" ]]; then
  dir=$(cd "$corpus" 2>/dev/null && pwd) || usage "--corpus '$corpus' is not a folder"
  corpus=$dir
fi
cd "$ROOT"
build=${build:-build/default}
build=${build%/}
[[ -d "$build" ]] || die "$build is not a build folder: build it first (cmake --preset default && cmake --build build/default)"

# ---- 1. Instructions per execution -------------------------------------------------------------

sanitizer=$(sed -n 's/^ZSFUZZ_SANITIZER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
inputs="$build/corpus"
if [[ -n "$corpus" ]]; then
  [[ -d "$corpus/diff_seq" && -d "$corpus/diff_conc" ]] ||
    usage "--corpus '$corpus' needs the folders diff_seq/ and diff_conc/"
  inputs=${corpus%/}
fi
seq_inputs=("$inputs"/diff_seq/*)
conc_inputs=("$inputs"/diff_conc/*)

# The Ir callgrind collected in one run of binary $1 over the files after it; its log is kept in
# $work for a failure's message.
collected_ir() {
  local bin=$1 log
  shift
  log=$work/$(basename "$bin")-$#.log
  env ZSFUZZ_VARIANTS="$variants" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" \
    >"$log" 2>&1 || die "valgrind $(basename "$bin") over $# file(s) failed, see $log"
  awk '/Collected :/ { print $NF }' "$log"
}

ir_table() {
  local name bin n once twice files per
  printf '%-8s %10s %12s %10s\n' target executions Ir/exec "vs trivial"
  local trivial_per=""
  for name in trivial seq conc; do
    case $name in
      trivial) bin=zs_trivial_fuzzer; files=("${seq_inputs[@]}" "${conc_inputs[@]}") ;;
      seq) bin=zs_diff_seq_fuzzer; files=("${seq_inputs[@]}") ;;
      conc) bin=zs_diff_conc_fuzzer; files=("${conc_inputs[@]}") ;;
    esac
    objcopy --strip-debug "$build/bin/$bin" "$work/$bin"
    n=${#files[@]}
    once=$(collected_ir "$work/$bin" "${files[@]}")
    twice=$(collected_ir "$work/$bin" "${files[@]}" "${files[@]}")
    [[ -n "$once" && -n "$twice" ]] || die "no 'Collected :' line from callgrind for $bin (logs in $work)"
    per=$(((twice - once) / n))
    [[ -n "$trivial_per" ]] || trivial_per=$per
    awk -v t="$name" -v n="$n" -v p="$per" -v b="$trivial_per" \
      'BEGIN { printf "%-8s %10d %12d %9.1fx\n", t, n, p, (b > 0 ? p / b : 0) }'
  done
}

# Instructions per scheduler step: zs_sched_step_cost (tests/allocator/kernel/sched) runs one
# execution whose steps are all alike; (Ir at 2N yields - Ir at N) / (steps at 2N - steps at N).
step_table() {
  local bin=zs_sched_step_cost what threads kind strategy n=5000 a b
  [[ -x "$build/bin/$bin" ]] || die "$build/bin/$bin is missing: build it (cmake --build $build)"
  objcopy --strip-debug "$build/bin/$bin" "$work/$bin"
  echo "Instructions per scheduler step (zs_sched_step_cost under callgrind; a yield point to the" \
    "next, the trace record and hash included, no step observer)"
  printf '%-52s %8s\n' "steps" Ir/step
  while IFS='|' read -r what threads kind strategy; do
    a=$(step_run "$work/$bin" "$n" "$threads" "$kind" "$strategy")
    b=$(step_run "$work/$bin" $((2 * n)) "$threads" "$kind" "$strategy")
    awk -v w="$what" -v a="$a" -v b="$b" \
      'BEGIN { split(a, x, " "); split(b, y, " "); printf "%-52s %8.1f\n", w, (y[2] - x[2]) / (y[1] - x[1]) }'
  done <<'ROWS'
cond_resched, 1 thread: the same thread runs on|1|yield|random seed=1
cond_resched, 2 threads, random: a switch on half|2|yield|random seed=1
spin_lock+unlock, 1 thread (lock shim, lockdep)|1|lock|random seed=1
spin_lock+unlock, 3 threads, pct|3|lock|pct seed=1
ROWS
}

# "STEPS IR" of one zs_sched_step_cost run under callgrind.
step_run() {
  local bin=$1 log=$work/step-$2-$3-$4-${5// /-}.log
  shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" >"$log" 2>&1 ||
    die "valgrind $(basename "$bin") $* failed, see $log"
  awk '/^steps / { s = $2 } /Collected :/ { ir = $NF } END { print s, ir }' "$log"
}

echo "Instructions per execution: $build (sanitizer ${sanitizer:-unknown}), variants $variants," \
  "valgrind --tool=callgrind, (Ir of the files listed twice - listed once) / N"
if ! command -v valgrind >/dev/null; then
  echo "valgrind not found (apt-get install valgrind): no instructions per execution"
elif [[ -n "$sanitizer" && "$sanitizer" != none ]]; then
  echo "$build is a $sanitizer build, which valgrind cannot run: no instructions per execution"
else
  command -v objcopy >/dev/null || die "objcopy not found (binutils)"
  for bin in zs_trivial_fuzzer zs_diff_seq_fuzzer zs_diff_conc_fuzzer; do
    [[ -x "$build/bin/$bin" ]] || die "$build/bin/$bin is missing: build it (cmake --build $build)"
  done
  [[ -f "${seq_inputs[0]}" && -f "${conc_inputs[0]}" ]] ||
    die "no inputs in $inputs/diff_seq or diff_conc$([[ -n "$corpus" ]] || echo ": build it (cmake --build $build)")"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  say "callgrind: 6 runs of the engine binaries over $inputs"
  ir_table
  echo "trivial: zs_trivial_fuzzer, which decodes the input as an op program and returns (a" \
    "parser-only target, the typical cheap libFuzzer target), over both targets' inputs"
  # The trivial binary links the same tree as the targets (DecodeInput is theirs), so libFuzzer
  # clears as many counters per input for it as for them.
  echo "every row counts libFuzzer's work per input (reading the file, clearing the coverage" \
    "counters of the whole tree, which every binary links): most of the trivial row"
  echo
  step_table
fi

# ---- 2. zsfuzz bench targets of each build present --------------------------------------------

builds=("$build")
for b in build/default build/asan build/tsan; do
  [[ "$b" == "$build" || ! -x "$b/bin/zsfuzz" ]] || builds+=("$b")
done
for b in "${builds[@]}"; do
  echo
  if [[ ! -x "$b/bin/zsfuzz" ]]; then
    echo "$b/bin/zsfuzz is missing: no exec/s for $b"
    continue
  fi
  # Exit status 1 is a finding during the bench: its table says so, and the others still run.
  "$b/bin/zsfuzz" bench targets --seconds "$seconds" --variants "$variants" ${corpus:+--corpus "$corpus"} ||
    [[ $? -eq 1 ]] || die "$b/bin/zsfuzz bench targets failed"
done
