#!/usr/bin/env bash
# AFL++ on every core: one main instance (-M main) and N-1 secondaries (-S sec1..) of one
# target, sharing one sync folder, as AFL++'s docs/fuzzing_in_depth.md describes. Builds the afl
# preset (afl-clang-lto++, libAFLDriver) if needed, starts from the target's seeds, uses the
# program mutator (AFL_CUSTOM_MUTATOR_ONLY=1, README.md "Running the fuzz targets directly"),
# gives the secondaries different power schedules, stops every instance after --seconds, and
# prints each instance's executions and exec/s (from its fuzzer_stats), the total, and the
# crashes found. The instances' output goes to OUT/<name>.log.
#
#   bash scripts/afl-parallel.sh [--target seq|conc] [--jobs N] [--seconds S] [--variants A,B] [--out DIR]
#
#   --target    the target to fuzz (default conc)
#   --jobs      instances in all, main included (default: nproc)
#   --seconds   how long each instance fuzzes (afl-fuzz -V; default 60)
#   --variants  the variant pair the target compares (default pre,post)
#   --out       the sync folder (default build/afl-sync/<target>; made afresh, an existing one is
#               resumed with AFL_AUTORESUME)
#
# Exit status: 0 no crash, 1 crashes found (the files are listed) or an instance failed to start,
# 2 a usage error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { echo "afl-parallel: error: $*; usage: bash scripts/afl-parallel.sh [--target seq|conc] [--jobs N] [--seconds S] [--variants A,B] [--out DIR]" >&2; exit 2; }
die() { echo "afl-parallel: error: $*" >&2; exit 1; }
say() { echo "afl-parallel: $*" >&2; }

target=conc
jobs=$(nproc)
seconds=60
variants=pre,post
out=""
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || usage "$1 needs a value"
  case "$1" in
    --target) target=$2 ;;
    --jobs) jobs=$2 ;;
    --seconds) seconds=$2 ;;
    --variants) variants=$2 ;;
    --out) out=$2 ;;
    *) usage "unknown argument '$1'" ;;
  esac
  shift 2
done
[[ $target == seq || $target == conc ]] || usage "--target must be seq or conc"
[[ $jobs =~ ^[0-9]+$ && $jobs -ge 1 && $jobs -le 256 ]] || usage "--jobs must be 1..256"
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 ]] || usage "--seconds must be a whole number of seconds, at least 1"
[[ $variants == ?*,?* ]] || usage "--variants needs a pair A,B"
[[ -n $out ]] || out=$ROOT/build/afl-sync/$target

bash "$ROOT/scripts/install-deps.sh" >&2
cd "$ROOT"
B=build/afl
say "building the afl preset (log: build/afl-parallel-build.log)"
{ cmake --preset afl && cmake --build --preset afl -j"$(nproc)"; } >build/afl-parallel-build.log 2>&1 ||
  die "the afl build failed, see build/afl-parallel-build.log"
bin=$B/bin/zs_diff_${target}_fuzzer
mutator=$B/lib/libzsfuzz_afl_mutator.so
[[ -x $bin && -f $mutator ]] || die "$bin or $mutator missing after the build"
# The text seeds, which the targets read as they are. The variants are checked by the target
# itself: one run on a seed, before afl-fuzz hides the error.
in=$ROOT/corpus/diff_$target
ZSFUZZ_VARIANTS=$variants "$bin" "$(ls -d "$in"/* | head -1)" >/dev/null 2>build/afl-parallel-check.log ||
  die "$bin refused --variants $variants or its first seed: $(grep -m1 error build/afl-parallel-check.log || tail -1 build/afl-parallel-check.log)"

if [[ -d $out ]]; then
  export AFL_AUTORESUME=1
  say "resuming $out"
fi
mkdir -p "$out"
export AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_CUSTOM_MUTATOR_LIBRARY=$ROOT/$mutator AFL_CUSTOM_MUTATOR_ONLY=1 ZSFUZZ_VARIANTS=$variants
# Secondaries cycle through AFL++'s power schedules, so they explore differently.
schedules=(fast explore coe lin quad exploit rare)
names=(main)
pids=()
say "$jobs instance(s) of $(basename "$bin") ($variants) for $seconds s into $out"
afl-fuzz -M main -i "$in" -o "$out" -V "$seconds" -- "$bin" >"$out/main.log" 2>&1 &
pids+=($!)
for ((k = 1; k < jobs; k++)); do
  name=sec$k
  names+=("$name")
  afl-fuzz -S "$name" -p "${schedules[$(((k - 1) % ${#schedules[@]}))]}" -i "$in" -o "$out" -V "$seconds" \
    -- "$bin" >"$out/$name.log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { say "${names[$i]} exited with an error, see $out/${names[$i]}.log"; failed=1; }
done

# fuzzer_stats: "execs_done : N", "execs_per_sec : X", "run_time : S" per instance.
stat() { awk -v k="$1" '$1 == k { print $3 }' "$2"; }
printf '%-8s %12s %10s %8s %8s\n' instance execs exec/s corpus crashes
total_execs=0
total_rate=0
crashes=()
for name in "${names[@]}"; do
  s=$out/$name/fuzzer_stats
  if [[ ! -f $s ]]; then
    printf '%-8s %12s\n' "$name" "(no stats: see $out/$name.log)"
    failed=1
    continue
  fi
  execs=$(stat execs_done "$s")
  run_time=$(stat run_time "$s")
  rate=$(awk -v e="$execs" -v t="$run_time" 'BEGIN { printf "%.1f", (t > 0 ? e / t : 0) }')
  corpus=$(stat corpus_count "$s")
  mapfile -t found < <(find "$out/$name/crashes" -type f -name 'id:*' 2>/dev/null)
  crashes+=("${found[@]}")
  printf '%-8s %12s %10s %8s %8s\n' "$name" "$execs" "$rate" "$corpus" "${#found[@]}"
  total_execs=$((total_execs + execs))
  total_rate=$(awk -v a="$total_rate" -v b="$rate" 'BEGIN { printf "%.1f", a + b }')
done
printf '%-8s %12s %10s\n' total "$total_execs" "$total_rate"
for c in "${crashes[@]}"; do
  echo "crash: $c"
  echo "  repro: build/default/bin/zsfuzz repro '$c' --variants $variants --target $target"
done
if [[ ${#crashes[@]} -gt 0 ]]; then
  echo "afl-parallel: ${#crashes[@]} crash(es)"
  exit 1
fi
[[ $failed -eq 0 ]] || die "an instance failed"
echo "afl-parallel: no crash"
