#!/usr/bin/env bash
# The platform's services run alone from the configs `clemmys up` writes
# (doc/formats/service-config.md, doc/deploy.md "Running the services under systemd"):
# after one `clemmys up` in a fresh data dir has stopped, the simtee, `clemmys service
# run kms.json`, `clemmys untrusted --config untrusted.json` and `clemmys service run
# gateway.json` run as four processes; an action is created and invoked through that
# gateway with the same wskprops (same measurements, so the same policy); SIGKILL of
# the gateway makes its supervisor exit 1 (what makes systemd restart it); a second
# `service run gateway.json` serves again. Every process is stopped at the end.
set -euo pipefail
clemmys=$(realpath "${1:?usage: services_alone.sh CLEMMYS_BINARY}")
bin=$(dirname "$clemmys")
data=$(mktemp -d /tmp/clemmys-services.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$data"/*.log; do echo "--- $f"; tail -n 15 "$f"; done; exit 1; }
wait_line() {  # wait_line FILE PATTERN SECONDS
  for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1 after $3 s"
}
# Replaces the calling (sub)shell, so its pid is the service's.
as_untrusted() { if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=1999999999 --regid=1999999999 --clear-groups "$@"; else exec "$@"; fi; }

echo "== clemmys up once (writes services/*.json), then stopped"
"$clemmys" up --data-dir "$data" --prewarm cpp=0 --prewarm python:3=0 --prewarm nodejs:20=0 >"$data/up.log" 2>&1 &
up=$!
wait_line "$data/up.log" "^clemmys ready" 120
kill -TERM "$up"; wait "$up" || true
for f in kms gateway untrusted; do [ -s "$data/services/$f.json" ] || fail "no services/$f.json"; done

echo "== the four services, each on its own"
rm -f "$data/simtee.sock"
"$bin/clemmys-simtee" --socket "$data/simtee.sock" --state-dir "$data/simtee" >"$data/simtee.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$data/simtee.sock" ] && break; sleep 0.1; done
"$clemmys" service run "$data/services/kms.json" >"$data/kms.log" 2>&1 &
pids+=($!)
wait_line "$data/kms.log" "clemmys service kms ready" 60
rm -f "$data/controller/auth"
(cd / && as_untrusted "$clemmys" untrusted --config "$data/services/untrusted.json" --auth-file "$data/controller/auth") \
  >"$data/untrusted.log" 2>&1 &
pids+=($!)
wait_line "$data/untrusted.log" "clemmys-untrusted ready" 60
"$clemmys" service run "$data/services/gateway.json" >"$data/gateway.log" 2>&1 &
gw=$!
pids+=($gw)
wait_line "$data/gateway.log" "clemmys service gateway ready" 60

invoke() {  # creates (once) and invokes a nodejs:20 action through the gateway; prints the result
  # shellcheck disable=SC1091
  . "$data/wskprops"
  NODE_EXTRA_CA_CERTS="$CACERT" APIHOST="$APIHOST" AUTH="$AUTH" node --input-type=module -e '
    const h = { "Authorization": "Basic " + Buffer.from(process.env.AUTH).toString("base64"), "Content-Type": "application/json" };
    const base = process.env.APIHOST + "/api/v1/namespaces/_/actions/alone";
    let r = await fetch(base + "?overwrite=true", { method: "PUT", headers: h,
      body: JSON.stringify({ exec: { kind: "nodejs:20", code: "function main(p) { return { hello: p.name }; }" } }) });
    if (r.status !== 200) throw new Error("create: " + r.status + " " + await r.text());
    r = await fetch(base + "?blocking=true&result=true", { method: "POST", headers: h, body: JSON.stringify({ name: "alone" }) });
    console.log(r.status, await r.text());'
}
out=$(invoke) || fail "invoke through the lone gateway failed"
[ "$out" = '200 {"hello":"alone"}' ] || fail "unexpected result: $out"
echo "ok: invoked through services run alone: $out"

echo "== SIGKILL of the gateway: its supervisor exits 1"
gw_pid=$(sed -n 's/.*clemmys service gateway ready (pid \([0-9]*\),.*/\1/p' "$data/gateway.log")
[ -n "$gw_pid" ] || fail "no gateway pid"
kill -KILL "$gw_pid"
rc=0; timeout 10 tail --pid="$gw" -f /dev/null || fail "the supervisor did not notice within 10 s"
wait "$gw" || rc=$?
[ "$rc" = 1 ] || fail "the supervisor exited $rc, not 1"
grep -q "the process ended" "$data/gateway.log" || fail "no message about the ended gateway"
"$clemmys" service run "$data/services/gateway.json" >"$data/gateway.log" 2>&1 &
pids+=($!)
wait_line "$data/gateway.log" "clemmys service gateway ready" 60
out=$(invoke) || fail "invoke after the restart failed"
[ "$out" = '200 {"hello":"alone"}' ] || fail "unexpected result after the restart: $out"
echo "ok: restarted gateway serves: $out"

for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
sleep 0.3
left=$(ps -eo pid=,args= | grep -F "$data" | grep -v grep || true)
[ -z "$left" ] || { echo "$left"; fail "processes left behind"; }
echo "ok: services run alone, supervised, and stopped"
