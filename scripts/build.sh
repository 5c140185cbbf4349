#!/usr/bin/env bash
# Configures and builds pktloss into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
# -O2 without debug info: CI builds from scratch on 2 cores, and the binary stays small.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build build -j "$(nproc)"
