#!/usr/bin/env bash
# Installs the Debian 12 packages zsfuzz needs to build and test. Idempotent:
# when everything is present it only asks dpkg and exits 0.
set -euo pipefail

PACKAGES=(
  clang-19 libclang-rt-19-dev llvm-19 lld-19   # the compiler, sanitizer runtimes, libFuzzer (DESIGN: clang-19)
  clang-format-19 clang-tidy-19                 # .clang-format / .clang-tidy at the top level
  afl++                                         # AFL++ builds (its own LLVM 14 toolchain)
  libabsl-dev                                   # flags, status, strings, containers
  cmake ninja-build                             # CMake presets use the Ninja generator
  googletest libgtest-dev                       # GoogleTest sources, built per preset
  libbenchmark-dev                              # Google Benchmark: zs_microbench
  liblz4-dev                                    # LZ4: zsfuzz bench contention's object sizes
  git
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: error: missing packages (${missing[*]}) and not root; install them or run as root" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

if ! "${SUDO[@]}" apt-get update -q; then
  echo "install-deps: error: 'apt-get update' failed; check the network and /etc/apt/sources.list" >&2
  exit 1
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  echo "install-deps: error: 'apt-get install ${missing[*]}' failed (see apt's output above)" >&2
  exit 1
fi
echo "install-deps: done"
