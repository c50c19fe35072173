#!/usr/bin/env bash
# End-to-end: runs the node suites (official `openwhisk` npm client) against
#   1. `clemmys up --plain` (HTTP, controller directly), then
#   2. `clemmys up` (secure: HTTPS gateway with the session CA, KMS, attested runtimes),
# then, on the secure data dir, invokes an action carrying plaintext markers
# (markers.secure.mjs) and fails if any marker appears in the controller's database
# files or anywhere under <data>/controller/. After each run: no process left behind.
# Usage: test/e2e/run.sh [BUILD_DIR] [plain|secure|both]   (default: both)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
modes=${2:-both}
[ -d "$here/node_modules/openwhisk" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

up_pid=""
data=""
cleanup() {
  if [ -n "$up_pid" ]; then kill -TERM "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; fi
  [ -n "$data" ] && rm -rf "$data"
  return 0
}
trap cleanup EXIT

# Starts `clemmys up "$@"` in a fresh data dir and waits for its ready line.
start_platform() {
  data=$(mktemp -d /tmp/clemmys-e2e.XXXXXX)
  log="$data/up.log"
  "$build/bin/clemmys" up "$@" --data-dir "$data" >"$log" 2>&1 &
  up_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^clemmys ready' "$log" 2>/dev/null && break
    kill -0 "$up_pid" 2>/dev/null || { echo "clemmys up exited early:"; cat "$log"; exit 1; }
    sleep 0.1
  done
  grep -q '^clemmys ready' "$log" || { echo "clemmys up not ready in 60 s:"; cat "$log"; exit 1; }
  set -a
  # shellcheck disable=SC1091
  . "$data/wskprops"
  set +a
  export __OW_API_HOST="$APIHOST" __OW_API_KEY="$AUTH" CLEMMYS_BUILD_DIR="$build" CLEMMYS_DATA_DIR="$data"
  if [ -n "${CACERT:-}" ]; then export NODE_EXTRA_CA_CERTS="$CACERT"; else unset NODE_EXTRA_CA_CERTS; fi
}

# Stops the platform; fails if it does not stop or leaves any process of its data dir.
stop_platform() {
  local status=0
  kill -TERM "$up_pid"
  for _ in $(seq 1 200); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$up_pid" 2>/dev/null; then echo "clemmys up did not stop on SIGTERM"; status=1; fi
  wait "$up_pid" 2>/dev/null || true
  up_pid=""
  sleep 0.2
  # Runtimes, KMS, gateway and simtee of this run all name the data dir or the build dir.
  local left
  ps -eo pid=,args= >"$data/ps.txt"  # a snapshot first, so the greps below are not in it
  left=$(grep -E "clemmys-(runtime|kms|gateway|simtee)" "$data/ps.txt" | grep -E -e "$data" -e " $build/bin/clemmys-runtime --listen-fd 3\$" || true)
  if [ -n "$left" ]; then echo "processes left behind:"; echo "$left"; status=1; fi
  return "$status"
}

overall=0
run_mode() {
  local mode=$1 status=0
  echo "=== e2e: $mode"
  if [ "$mode" = plain ]; then start_platform --plain --port 0; else start_platform; fi
  (cd "$here" && node --test --test-concurrency=1 ./*.test.mjs) || status=$?
  if [ "$mode" = secure ] && [ "$status" = 0 ]; then
    tag=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
    export CLEMMYS_MARKER_TAG="$tag" CLEMMYS_MARKER_LIST="$data/markers.txt"
    (cd "$here" && node --test ./markers.secure.mjs) || status=$?
    if [ "$status" = 0 ]; then
      sleep 0.5  # let the controller finish writing the activation record
      for m in $(cat "$data/markers.txt"); do
        if grep -rl --binary-files=text "$m" "$data/controller" >/dev/null 2>&1; then
          echo "LEAK: plaintext marker $m found in:"; grep -rl --binary-files=text "$m" "$data/controller"; status=1
        fi
      done
      # Sanity: the probe's action and activation did reach the controller's store.
      if ! grep -rq --binary-files=text "markers-" "$data/controller"; then
        echo "scan is void: the action name is not in the controller's files"; status=1
      fi
      [ "$status" = 0 ] && echo "secrecy scan: none of $(wc -l <"$data/markers.txt") markers in $(ls "$data/controller" | tr '\n' ' ')"
    fi
  fi
  stop_platform || status=1
  if [ "$status" != 0 ]; then echo "--- clemmys up log ($mode)"; tail -n 60 "$data/up.log"; overall=1; fi
  rm -rf "$data"; data=""
}

case "$modes" in
  plain) run_mode plain ;;
  secure) run_mode secure ;;
  both) run_mode plain; run_mode secure ;;
  *) echo "usage: $0 [BUILD_DIR] [plain|secure|both]"; exit 2 ;;
esac
exit "$overall"
