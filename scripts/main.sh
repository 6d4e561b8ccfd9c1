#!/usr/bin/env bash
# The main job: build the default preset and run the differential campaign,
# `zsfuzz run` (post against pre, both fuzz targets, about 60 s), printing its
# progress and summary. Arguments go to `zsfuzz run` (e.g. --time 300
# --variants pre,post-rfc-v2). Exit status is zsfuzz's: 0 clean, 1 finding,
# 2 usage error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default -j"$(nproc)"
exec build/default/bin/zsfuzz run "$@"
