#!/usr/bin/env bash
# The main job: install, build, and check this host (two snapshots 2 s apart).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
exec build/pktloss check -i "${PKTLOSS_INTERVAL:-2}" "$@"
