#!/usr/bin/env bash
# Source-based coverage of allocator/ reached by the seed corpus (README.md, "Coverage of
# allocator/"). Builds the coverage preset (build/coverage: -fprofile-instr-generate
# -fcoverage-mapping, cmake/Coverage.cmake), runs every seed of corpus/diff_seq through
# zs_diff_seq_fuzzer and of corpus/diff_conc through zs_diff_conc_fuzzer once (the binary form
# that the build encodes into build/coverage/corpus/), one .profraw per process, merges them with
# llvm-profdata-19 and prints llvm-cov-19's figures for allocator/ on stdout: a table per folder,
# the total, and allocator/zsmalloc/zsmalloc.cc per variant. Progress goes to stderr.
#
#   bash scripts/coverage.sh [--variants A,B]... [--html DIR]
#
#   --variants A,B  the variant pair the targets compare (default pre,post); give it again to run
#                   the corpus once more with another pair, e.g. --variants pre,post
#                   --variants post-rfc-v2,post-1-2 (coverage adds up over all runs)
#   --html DIR      also write llvm-cov's HTML view of allocator/ to DIR (DIR/index.html)
#
# Exit status: 0 done, 1 a tool missing or a step failed (one line on stderr saying which),
# 2 a usage error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build/coverage
PROF=$B/profiles
PROFDATA=$B/allocator.profdata
TARGETS=(zs_diff_seq_fuzzer zs_diff_conc_fuzzer)

say() { echo "coverage: $*" >&2; }
die() { echo "coverage: error: $*" >&2; exit 1; }
usage() { echo "coverage: error: $*; usage: bash scripts/coverage.sh [--variants A,B]... [--html DIR]" >&2; exit 2; }

pairs=()
html=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --variants) [[ $# -ge 2 && "$2" == ?*,?* ]] || usage "--variants needs a pair A,B"; pairs+=("$2"); shift 2 ;;
    --variants=?*,?*) pairs+=("${1#--variants=}"); shift ;;
    --html) [[ $# -ge 2 && -n "$2" ]] || usage "--html needs a directory"; html=$2; shift 2 ;;
    --html=?*) html=${1#--html=}; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[[ ${#pairs[@]} -gt 0 ]] || pairs=("pre,post")
[[ -z "$html" || "$html" == /* ]] || html=$PWD/$html

for tool in cmake ninja clang-19 clang++-19 llvm-profdata-19 llvm-cov-19 llvm-cxxfilt-19 awk; do
  command -v "$tool" >/dev/null || die "$tool not found: run 'bash scripts/install-deps.sh' (clang-19, llvm-19, cmake, ninja-build)"
done

cd "$ROOT"
mkdir -p "$B"
say "configuring build/coverage (log: build/coverage/coverage-configure.log)"
cmake --preset coverage >"$B/coverage-configure.log" 2>&1 ||
  die "'cmake --preset coverage' failed, see build/coverage/coverage-configure.log"

# The build runs instrumented tools (zsfuzz encode, zs_dict_gen): their profiles go to a scratch
# folder instead of ./default.profraw files in the build tree.
say "building zsfuzz, the targets and the encoded seeds (log: build/coverage/coverage-build.log)"
rm -rf "$B/profiles-build"
LLVM_PROFILE_FILE=$B/profiles-build/%p.profraw nice -n 10 \
  cmake --build --preset coverage -j2 --target zsfuzz "${TARGETS[@]}" zs_seed_corpus \
  >"$B/coverage-build.log" 2>&1 || die "the build failed, see build/coverage/coverage-build.log"
rm -rf "$B/profiles-build"

rm -rf "$PROF" "$PROFDATA"
mkdir -p "$PROF"
for pair in "${pairs[@]}"; do
  for target in "${TARGETS[@]}"; do
    kind=${target#zs_diff_}
    kind=${kind%_fuzzer}
    # The seeds are the corpus/diff_<kind>/*.txt files; the build encodes each into
    # build/coverage/corpus/diff_<kind>/<name> (corpus/CMakeLists.txt).
    seeds=()
    for txt in "$ROOT/corpus/diff_$kind"/*.txt; do
      [[ -e "$txt" ]] || continue
      bin=$B/corpus/diff_$kind/$(basename "$txt" .txt)
      [[ -f "$bin" ]] || die "encoded seed $bin is missing after the build"
      seeds+=("$bin")
    done
    [[ ${#seeds[@]} -gt 0 ]] || die "no seeds in corpus/diff_$kind"
    log=$PROF/$pair-$kind.log
    say "$pair: $target on the ${#seeds[@]} seeds of corpus/diff_$kind"
    # Files as arguments: libFuzzer runs each exactly once ("Executed <file>") and fuzzes nothing.
    rc=0
    ZSFUZZ_VARIANTS=$pair LLVM_PROFILE_FILE=$PROF/$pair-$kind-%p.profraw \
      "$B/bin/$target" "${seeds[@]}" >"$log" 2>&1 || rc=$?
    [[ $rc -eq 0 ]] || die "$target exited with status $rc on corpus/diff_$kind with $pair (a finding or a bad variant), see $log"
    ran=$(grep -c '^Executed ' "$log" || true)
    [[ "$ran" -eq ${#seeds[@]} ]] || die "$target executed $ran of ${#seeds[@]} seeds, see $log"
  done
done

shopt -s nullglob
profiles=("$PROF"/*.profraw)
shopt -u nullglob
[[ ${#profiles[@]} -gt 0 ]] || die "no .profraw written in $PROF: is build/coverage instrumented (ZSFUZZ_COVERAGE=ON)?"
say "merging ${#profiles[@]} profiles into build/coverage/allocator.profdata"
llvm-profdata-19 merge -sparse "${profiles[@]}" -o "$PROFDATA" || die "llvm-profdata-19 merge failed"

objects=("$B/bin/${TARGETS[0]}")
for target in "${TARGETS[@]:1}"; do objects+=(-object "$B/bin/$target"); done
cov=(-instr-profile="$PROFDATA" "${objects[@]}")

say "reporting allocator/"
lcov=$(llvm-cov-19 export -format=lcov -summary-only "${cov[@]}" "$ROOT/allocator") ||
  die "llvm-cov-19 export failed"
funcs=$(llvm-cov-19 report -show-functions "${cov[@]}" "$ROOT/allocator/zsmalloc/zsmalloc.cc") ||
  die "llvm-cov-19 report failed"

echo "Coverage of allocator/ by the seed corpus (llvm-cov-19, build/coverage): corpus/diff_seq through"
echo "zs_diff_seq_fuzzer, corpus/diff_conc through zs_diff_conc_fuzzer; variants $(IFS=' '; echo "${pairs[*]}")"
echo
# Per folder, from the lcov summary (LF/LH lines found/hit, BRF/BRH branches found/hit).
awk -v root="$ROOT/allocator/" '
  function pct(hit, all) { return all ? sprintf("%.2f%%", 100 * hit / all) : "-" }
  function row(name, k) {
    printf "%-34s %5d %7d %7d %8s %8d %7d %8s\n", name, files[k], lf[k], lf[k] - lh[k], pct(lh[k], lf[k]),
           bf[k], bf[k] - bh[k], pct(bh[k], bf[k])
  }
  /^SF:/ {
    f = substr($0, 4); sub("^" root, "", f)
    if (f ~ /^kernel\/sched\//) k = "kernel/sched"
    else if (f ~ /^kernel\//) k = "kernel"
    else if (f ~ /^zsmalloc\//) k = "zsmalloc"
    else if (f ~ /^variants\//) k = "variants"
    else k = "other"
    files[k]++; files["all"]++
  }
  /^LF:/  { lf[k] += substr($0, 4); lf["all"] += substr($0, 4) }
  /^LH:/  { lh[k] += substr($0, 4); lh["all"] += substr($0, 4) }
  /^BRF:/ { bf[k] += substr($0, 5); bf["all"] += substr($0, 5) }
  /^BRH:/ { bh[k] += substr($0, 5); bh["all"] += substr($0, 5) }
  END {
    printf "%-34s %5s %7s %7s %8s %8s %7s %8s\n", "folder", "files", "lines", "missed", "lines%", "branches",
           "missed", "branch%"
    row("allocator/kernel (without sched/)", "kernel")
    row("allocator/kernel/sched", "kernel/sched")
    row("allocator/zsmalloc", "zsmalloc")
    row("allocator/variants", "variants")
    if (files["other"]) row("allocator/ (other)", "other")
    row("allocator/ total", "all")
  }' <<<"$lcov"
echo
# zsmalloc.cc per variant: the sum of its functions in namespace zs_<ident>, from the mangled
# names (<length><namespace> is the first name in each); ident back to the name: '_' -> '-'.
echo "allocator/zsmalloc/zsmalloc.cc per variant (compiled once per variant in namespace zs_<variant>;"
echo "the zsmalloc row above counts it once, with the counts of all variants merged):"
awk '
  function pct(missed, all) { return all ? sprintf("%.2f%%", 100 * (all - missed) / all) : "-" }
  NF >= 10 && $1 ~ /_Z/ {
    name = $1; sub(/^.*:/, "", name)
    if (!match(name, /[0-9]+zs_/)) next
    s = substr(name, RSTART); n = s + 0; ns = substr(s, length(n "") + 1, n)
    if (!(ns in lines)) order[++count] = ns
    lines[ns] += $(NF - 5); lmiss[ns] += $(NF - 4); br[ns] += $(NF - 2); bmiss[ns] += $(NF - 1)
  }
  END {
    printf "%-34s %7s %7s %8s %8s %7s %8s\n", "variant", "lines", "missed", "lines%", "branches", "missed", "branch%"
    for (i = 1; i <= count; i++) {
      ns = order[i]; v = substr(ns, 4); gsub(/_/, "-", v)
      printf "%-34s %7d %7d %8s %8d %7d %8s\n", v, lines[ns], lmiss[ns], pct(lmiss[ns], lines[ns]), br[ns],
             bmiss[ns], pct(bmiss[ns], br[ns])
    }
  }' <<<"$funcs"

if [[ -n "$html" ]]; then
  say "writing the HTML view of allocator/ to $html"
  llvm-cov-19 show -format=html -output-dir="$html" -show-branches=count -show-line-counts-or-regions \
    -Xdemangler=llvm-cxxfilt-19 "${cov[@]}" "$ROOT/allocator" || die "llvm-cov-19 show failed"
  echo
  echo "HTML: $html/index.html"
fi
