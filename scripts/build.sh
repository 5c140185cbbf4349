#!/usr/bin/env bash
# Configures and builds pktloss into ./build (or $PKTLOSS_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PKTLOSS_BUILD_DIR:-build}
launcher=()
# ccache, when installed, makes rebuilds (and builds of other checkouts of the tree) cheap;
# CCACHE_BASEDIR makes its hashes independent of where the checkout lives.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# -O2 without debug info: CI builds from scratch on 2 cores, and the binary stays small.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DPKTLOSS_WERROR=ON "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
