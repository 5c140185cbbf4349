#!/usr/bin/env bash
# Every test: install, build, run unit tests then integration tests (root, network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure --no-tests=error -j 1 "$@"
