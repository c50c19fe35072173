#!/usr/bin/env bash
# Sets everything up, builds, and runs the main job: the single-node platform in the
# foreground (`clemmys up --plain`). Extra arguments go to `clemmys up`.
# Stop it with Ctrl-C; clients read <data-dir>/wskprops (default ~/.clemmys/wskprops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${BUILD_DIR:-build}/bin/clemmys" up --plain "$@"
