#!/usr/bin/env bash
# The main job, until the differential campaign (`zsfuzz run`) exists: build
# the default preset and run one stress of the `post` variant, printing its
# summary. Exit status is zsfuzz's: 0 clean, 1 finding, 2 usage error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default -j"$(nproc)"
exec build/default/bin/zsfuzz stress --variant post --threads 2 --ops 200000 --seed 1
