#!/usr/bin/env bash
# Sets everything up, builds, and runs the main job: `clemmys demo` — the secure
# platform in a temporary directory, a three-kind pipeline using a policy secret,
# what the untrusted controller stores, three attacks refused, clean shutdown.
# Extra arguments go to `clemmys demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${BUILD_DIR:-build}/bin/clemmys" demo "$@"
