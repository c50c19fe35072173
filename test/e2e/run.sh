#!/usr/bin/env bash
# End-to-end: starts `clemmys up --plain` on a free port in a temp dir, runs the node
# test suite with the official `openwhisk` npm client against it, stops the platform
# and checks that no process it started is left behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
[ -d "$here/node_modules/openwhisk" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

data=$(mktemp -d /tmp/clemmys-e2e.XXXXXX)
log="$data/up.log"
"$build/bin/clemmys" up --plain --port 0 --data-dir "$data" >"$log" 2>&1 &
up_pid=$!
cleanup() {
  kill -TERM "$up_pid" 2>/dev/null || true
  wait "$up_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  grep -q '^clemmys ready' "$log" 2>/dev/null && break
  kill -0 "$up_pid" 2>/dev/null || { echo "clemmys up exited early:"; cat "$log"; exit 1; }
  sleep 0.1
done
grep -q '^clemmys ready' "$log" || { echo "clemmys up not ready in 30 s:"; cat "$log"; exit 1; }

set -a
# shellcheck disable=SC1091
. "$data/wskprops"
set +a
export __OW_API_HOST="$APIHOST" __OW_API_KEY="$AUTH" CLEMMYS_BUILD_DIR="$build"
export CLEMMYS_DATA_DIR="$data"

status=0
(cd "$here" && node --test --test-concurrency=1 ./*.test.mjs) || status=$?

kill -TERM "$up_pid"
for _ in $(seq 1 100); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$up_pid" 2>/dev/null; then echo "clemmys up did not stop on SIGTERM"; status=1; fi
wait "$up_pid" 2>/dev/null || true
if pgrep -f "clemmys-runtime" >/dev/null && pgrep -f clemmys-runtime | xargs -r ps -o pid=,ppid=,args= -p | grep -q "$build"; then
  echo "runtime processes left behind:"; pgrep -af clemmys-runtime; status=1
fi
if [ "$status" != 0 ]; then echo "--- clemmys up log"; tail -n 50 "$log"; fi
exit "$status"
