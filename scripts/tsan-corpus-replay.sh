#!/usr/bin/env bash
# The TSan job that replaces OSS-Fuzz's / ClusterFuzzLite's missing TSan: replays a corpus
# through the tsan preset's zsfuzz, `zsfuzz repro FILE --variants pre,X` for every file and
# every variant X that `zsfuzz list` prints other than pre (or --variants), each in a forked
# child, so a data race (TSan's report), a crash or an oracle finding is a finding.
#   PATH...        files or folders (searched recursively, README.md skipped); default the
#                  seeds and the regressions: corpus/diff_seq corpus/diff_conc corpus/regressions.
#                  A ClusterFuzzLite corpus (its storage repository's corpus/<target>/) replays
#                  as it is; a folder whose name holds "seq" replays with --target seq, as its
#                  target checks it; a text file's own `# target:` line wins.
#   --build-dir D  the tsan build to use (default build/tsan, configured and built here:
#                  zsfuzz only); with --no-build it must exist already
#   --variants X,Y the variants to replay against pre (default: every one zsfuzz list prints)
#   --out D        where findings go (default ./tsan-findings): the input and the repro's output
#   --jobs N       replays side by side (default: the number of cores)
# A text file's `# expect: finding X` and `# expect-tsan: finding X` lines
# (corpus/regressions/README.md) make pre,X's finding expected: it counts as
# expected, and a clean verdict there as missed. Progress goes to stderr every 10 s; the
# last line is the summary. Exit status 1 on any finding, missed finding or replay error,
# 0 when all is as expected, 2 on a usage error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

usage="usage: scripts/tsan-corpus-replay.sh [--build-dir DIR] [--no-build] [--variants X,Y] [--out DIR] [--jobs N] [--timeout S] [PATH...]"
die_usage() {
  echo "tsan-corpus-replay: error: $1; $usage" >&2
  exit 2
}

build=build/tsan
build_given=0
do_build=1
variants_arg=""
out=tsan-findings
jobs=$(nproc)
timeout_s=600
paths=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help)
      echo "$usage"
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    --build-dir | --variants | --out | --jobs | --timeout)
      [[ $# -ge 2 && -n $2 ]] || die_usage "$1 needs a value"
      case $1 in
        --build-dir) build=$2 build_given=1 ;;
        --variants) variants_arg=$2 ;;
        --out) out=$2 ;;
        --jobs) jobs=$2 ;;
        --timeout) timeout_s=$2 ;;
      esac
      shift 2
      ;;
    --build-dir=* | --variants=* | --out=* | --jobs=* | --timeout=*)
      set -- "${1%%=*}" "${1#*=}" "${@:2}"
      ;;
    --no-build) do_build=0; shift ;;
    -*) die_usage "unknown flag '$1'" ;;
    *) paths+=("$1"); shift ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die_usage "--jobs must be a positive number, not '$jobs'"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout must be a positive number of seconds, not '$timeout_s'"
[[ ${#paths[@]} -gt 0 ]] || paths=(corpus/diff_seq corpus/diff_conc corpus/regressions)
for p in "${paths[@]}"; do
  [[ -e $p ]] || die_usage "no such file or folder '$p'"
done

# The build: the tsan preset's zsfuzz, configured and built here unless told not to.
zsfuzz=$build/bin/zsfuzz
if [[ $do_build -eq 1 ]]; then
  if [[ $build_given -eq 0 ]]; then
    echo "tsan-corpus-replay: building zsfuzz in the tsan preset ($build)" >&2
    mkdir -p build
    [[ -f $build/CMakeCache.txt ]] || cmake --preset tsan >build/tsan-replay-configure.log 2>&1 ||
      { echo "tsan-corpus-replay: error: cmake --preset tsan failed (build/tsan-replay-configure.log)" >&2; exit 1; }
  fi
  cmake --build "$build" --target zsfuzz -j"$(nproc)" >&2 ||
    { echo "tsan-corpus-replay: error: building zsfuzz in $build failed" >&2; exit 1; }
fi
[[ -x $zsfuzz ]] || die_usage "no zsfuzz in $build/bin (build the tsan preset, or drop --no-build)"
grep -q '^ZSFUZZ_SANITIZER:STRING=tsan$' "$build/CMakeCache.txt" 2>/dev/null ||
  die_usage "$build is no TSan build (ZSFUZZ_SANITIZER is not tsan in its CMakeCache.txt)"

# The variants: pre against each other one.
mapfile -t listed < <("$zsfuzz" list | awk '{print $1}')
if [[ -n $variants_arg ]]; then
  IFS=, read -r -a variants <<<"$variants_arg"
  for v in "${variants[@]}"; do
    [[ " ${listed[*]} " == *" $v "* || $v == mut-* ]] ||
      die_usage "unknown variant '$v'; zsfuzz list: ${listed[*]}"
  done
else
  variants=()
  for v in "${listed[@]}"; do [[ $v == pre ]] || variants+=("$v"); done
fi

files=()
for p in "${paths[@]}"; do
  if [[ -d $p ]]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$p" -type f ! -name README.md -print0 | sort -z)
  else
    files+=("$p")
  fi
done
[[ ${#files[@]} -gt 0 ]] || die_usage "no files in ${paths[*]}"

mkdir -p "$out"
work=$(mktemp -d /tmp/tsan-replay-XXXXXX)
trap 'rm -rf "$work"' EXIT
# Races stop the child at the first report (zsfuzz turns TSan's exit status into 1).
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

# replay N FILE VARIANT: one repro; writes "STATUS<TAB>FILE<TAB>VARIANT" to $work/N.result.
replay() {
  local n=$1 f=$2 v=$3 extra=() want=0 text="" line rc=0 status
  if [[ $(head -c 16 "$f" | tr -d '\0') == "# zsfuzz program" ]]; then
    line=$(grep -m1 -E '^# target: (seq|conc)$' "$f" || true)
    [[ -z $line ]] || extra=(--target "${line#\# target: }")
    while IFS= read -r line; do
      if [[ $line =~ ^#\ expect(-tsan)?:\ finding\ ([a-z0-9-]+)(\ (.*))?$ && ${BASH_REMATCH[2]} == "$v" ]]; then
        want=1 text=${BASH_REMATCH[4]}
      fi
    done < <(grep -E '^# expect(-tsan)?: finding ' "$f" || true)
  fi
  if [[ ${#extra[@]} -eq 0 && $(basename "$(dirname "$f")") == *seq* ]]; then
    extra=(--target seq)
  fi
  timeout "$timeout_s" "$zsfuzz" repro "$f" --variants "pre,$v" "${extra[@]}" >"$work/$n.log" 2>&1 || rc=$?
  if [[ $rc -eq 1 && $want -eq 1 ]] && { [[ -z $text ]] || grep -qF -- "$text" "$work/$n.log"; }; then
    status=expected
  elif [[ $rc -eq 0 && $want -eq 1 ]]; then
    status=missed
  elif [[ $rc -eq 0 ]]; then
    status=clean
  elif [[ $rc -eq 1 ]]; then
    status=finding
  elif [[ $rc -eq 124 ]]; then
    status=timeout
  else
    status=error
  fi
  if [[ $status == finding || $status == missed || $status == timeout || $status == error ]]; then
    local name
    name="$v--$(echo "${f#./}" | tr '/' '_')"
    cp "$f" "$out/$name"
    {
      echo "# $status: exit $rc of: $zsfuzz repro $f --variants pre,$v ${extra[*]}"
      cat "$work/$n.log"
    } >"$out/$name.log"
  fi
  printf '%s\t%s\t%s\n' "$status" "$f" "$v" >"$work/$n.result"
}

total=$((${#files[@]} * ${#variants[@]}))
echo "tsan-corpus-replay: ${#files[@]} files x ${#variants[@]} pairs (pre against ${variants[*]}) = $total replays, $jobs at a time, with $zsfuzz" >&2
start=$SECONDS
last=$SECONDS
n=0
running=0
report_progress() {
  local done
  done=$(find "$work" -name '*.result' | wc -l)
  echo "tsan-corpus-replay: $done/$total replays, $(cat "$work"/*.result 2>/dev/null | grep -cvE '^(clean|expected)' || true) not as expected, $((SECONDS - start)) s" >&2
}
for f in "${files[@]}"; do
  for v in "${variants[@]}"; do
    n=$((n + 1))
    replay "$n" "$f" "$v" &
    running=$((running + 1))
    if [[ $running -ge $jobs ]]; then
      wait -n || true
      running=$((running - 1))
    fi
    if [[ $((SECONDS - last)) -ge 10 ]]; then
      report_progress
      last=$SECONDS
    fi
  done
done
wait || true

declare -A count=([clean]=0 [expected]=0 [finding]=0 [missed]=0 [timeout]=0 [error]=0)
while IFS=$'\t' read -r status f v; do
  count[$status]=$((count[$status] + 1))
  case $status in
    finding) echo "tsan-corpus-replay: FINDING pre,$v $f (${out}/$v--$(echo "${f#./}" | tr '/' '_').log)" ;;
    missed) echo "tsan-corpus-replay: MISSED the expected finding of pre,$v in $f" ;;
    timeout) echo "tsan-corpus-replay: TIMEOUT (${timeout_s} s) pre,$v $f" ;;
    error) echo "tsan-corpus-replay: ERROR pre,$v $f (${out}/$v--$(echo "${f#./}" | tr '/' '_').log)" ;;
  esac
done < <(cat "$work"/*.result)
done_n=$(cat "$work"/*.result | wc -l)
bad=$((count[finding] + count[missed] + count[timeout] + count[error] + total - done_n))
result=clean
[[ $bad -eq 0 ]] || result="FAILED, findings in $out/"
echo "tsan-corpus-replay: $done_n/$total replays in $((SECONDS - start)) s: ${count[clean]} clean, ${count[expected]} expected findings, ${count[finding]} findings, ${count[missed]} missed, $((count[timeout] + count[error])) errors; result: $result"
[[ $bad -eq 0 ]]
