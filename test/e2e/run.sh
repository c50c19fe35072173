#!/usr/bin/env bash
# End-to-end: runs the node suites (official `openwhisk` npm client) against
#   1. `clemmys up --plain` (HTTP, controller directly), then
#   2. `clemmys up` (secure: HTTPS gateway with the session CA, KMS, attested runtimes),
# and a secure-only probe (markers.secure.mjs: markers in code, parameters, argument,
# logs and result, plus a secret from the policy given with `clemmys up --policy`).
# Plaintext scan, on that same secure run: plaintext-recorder.mjs (loaded into every
# test process) records each confidential string the suites send or receive; tcpdump
# captures loopback TCP but the client's TLS to the gateway (gateway <-> controller,
# invoker <-> runtimes, KMS); plaintext-scan.mjs then fails if any recorded string
# or the secret is in <data>/controller/ (database included) or in that traffic. The plain run is its negative control: the same scan of
# the plain controller's files and client traffic must find them.
# After each run: no process left behind.
# Usage: test/e2e/run.sh [BUILD_DIR] [plain|secure|both]   (default: both)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
modes=${2:-both}
[ -d "$here/node_modules/openwhisk" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

up_pid=""
data=""
cap_pid=""
work=""
cleanup() {
  stop_capture || true
  if [ -n "$up_pid" ]; then kill -TERM "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; fi
  [ -n "$data" ] && rm -rf "$data"
  [ -n "$work" ] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
work=$(mktemp -d /tmp/clemmys-e2e-work.XXXXXX)  # recorder log, capture, policy file
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
command -v tcpdump >/dev/null || { echo "tcpdump is required (scripts/setup.sh installs it)"; exit 1; }

# Captures TCP on loopback (filter "$1") into $work/traffic.pcap until stop_capture.
start_capture() {
  rm -f "$work/traffic.pcap"
  $SUDO tcpdump -i lo -U -s 0 -B 65536 --immediate-mode -Z root -w "$work/traffic.pcap" "$1" 2>"$work/tcpdump.log" &
  cap_pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/tcpdump.log" && return 0; sleep 0.1; done
  echo "tcpdump did not start:"; cat "$work/tcpdump.log"; exit 1
}
stop_capture() {
  [ -n "$cap_pid" ] || return 0
  $SUDO kill -INT "$cap_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$cap_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$cap_pid" 2>/dev/null && { $SUDO kill -KILL "$cap_pid" 2>/dev/null || true; }
  wait "$cap_pid" 2>/dev/null || true
  cap_pid=""
  # A packet the kernel dropped is a packet not scanned.
  if ! grep -q "^0 packets dropped by kernel" "$work/tcpdump.log"; then
    echo "capture incomplete:"; cat "$work/tcpdump.log"; return 1
  fi
}

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

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

overall=0
run_mode() {
  local mode=$1 status=0 exclude scan_dir expect
  echo "=== e2e: $mode"
  tag=$(hex 6)
  export CLEMMYS_MARKER_TAG="$tag" CLEMMYS_MARKER_SECRET="policy-secret-$(hex 12)"
  # From before the platform starts: every connection of the run is captured from its
  # SYN (policy application, attestation, prewarming included).
  start_capture tcp
  if [ "$mode" = plain ]; then
    start_platform --plain --port 0
    exclude=0; scan_dir=$data; expect=found  # all of it, in the clear
  else
    printf 'functions:\n  /guest/markers-%s:\n    env: {MARKER_SECRET: "$$secret:marker-secret$$"}\n' "$tag" >"$work/policy.yaml"
    printf 'secrets:\n  - {name: marker-secret, kind: supplied, value: "%s"}\n' "$CLEMMYS_MARKER_SECRET" >>"$work/policy.yaml"
    start_platform --policy "$work/policy.yaml"
    exclude=${APIHOST##*:}; scan_dir=$data/controller; expect=none  # all but the client's TLS
  fi
  : >"$work/plaintext.jsonl"
  export NODE_OPTIONS="--import=$here/plaintext-recorder.mjs" CLEMMYS_PLAINTEXT_LOG="$work/plaintext.jsonl"
  (cd "$here" && node --test --test-concurrency=1 ./*.test.mjs) || status=$?
  if [ "$mode" = secure ] && [ "$status" = 0 ]; then
    (cd "$here" && node --test ./markers.secure.mjs) || status=$?
  fi
  unset NODE_OPTIONS CLEMMYS_PLAINTEXT_LOG
  # Stopped before the scan: the database is complete and every connection closed,
  # so each captured stream must end in FIN or RST (a missing tail would show).
  stop_platform || status=1
  stop_capture || status=1
  if [ "$status" = 0 ]; then
    local secret_args=()
    # Secure: the untrusted processes' log (controller, invoker, simtee) is the
    # provider's too, and the probe's markers must have been recorded.
    [ "$mode" = secure ] && secret_args=(--secret "$CLEMMYS_MARKER_SECRET" --public "markers-$tag"
      --require-marks "$tag" --file "$data/up.log")
    node "$here/plaintext-scan.mjs" --log "$work/plaintext.jsonl" "${secret_args[@]}" \
      --pcap "$work/traffic.pcap" --exclude-port "$exclude" --expect "$expect" "$scan_dir" || status=1
  fi
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
