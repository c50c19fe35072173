#!/usr/bin/env bash
# Hostile connections (issue 16; doc/api.md "Limits on connections"): against a
# secure `clemmys up`, four 20-second phases, each while a normal client invokes an
# action through the gateway from 127.0.0.1 (flood.mjs):
#   slowloris (600 connections dripping a header, from 127.0.0.2) and idle (2000
#   connections sending nothing, from 127.0.0.3), against the gateway and then
#   against the controller behind it.
# Each phase prints the normal client's success rate and p99, and what the flood got.
# Passes when the normal client's success rate is at least 99 % in every phase.
set -euo pipefail
clemmys=$(realpath "${1:?usage: floods.sh CLEMMYS_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"
data=$(mktemp -d /tmp/clemmys-floods.XXXXXX)
up=""
cleanup() {
  if [ -n "$up" ]; then kill -TERM "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; grep -v ' INFO ' "$data/up.log" | tail -n 20; exit 1; }
"$clemmys" up --data-dir "$data" --prewarm cpp=0 --prewarm python:3=0 --prewarm nodejs:20=1 >"$data/up.log" 2>&1 &
up=$!
for _ in $(seq 1 1200); do grep -q '^clemmys ready' "$data/up.log" && break; sleep 0.1; done
grep -q '^clemmys ready' "$data/up.log" || fail "not ready"
# shellcheck disable=SC1091
. "$data/wskprops"
export APIHOST AUTH NODE_EXTRA_CA_CERTS="$CACERT"
node --input-type=module -e '
  const h = { Authorization: "Basic " + Buffer.from(process.env.AUTH).toString("base64"), "Content-Type": "application/json" };
  const r = await fetch(process.env.APIHOST + "/api/v1/namespaces/_/actions/flood?overwrite=true", { method: "PUT", headers: h,
    body: JSON.stringify({ exec: { kind: "nodejs:20", code: "function main() { return { ok: true }; }" } }) });
  if (r.status !== 200) throw new Error("create " + r.status);' || fail "cannot create the action"
gateway=${APIHOST##*:}
read -r _ controller _ <"$data/ports"
status=0
for target in "gateway $gateway" "controller $controller"; do
  set -- $target
  for phase in "slowloris 127.0.0.2 600" "idle 127.0.0.3 2000"; do
    set -- $target $phase
    out=$(node "$here/flood.mjs" "$3" "$2" "$4" "$5" 20 flood) || fail "flood.mjs failed"
    echo "$1 / $3 ($5 connections from $4): $out"
    node -e 'const r = JSON.parse(process.argv[1]); process.exit(r.client.requests > 0 && r.client.ok / r.client.requests >= 0.99 ? 0 : 1)' \
      "$out" || { echo "  FAIL: the normal client was not served"; status=1; }
  done
done
[ "$status" = 0 ] && echo "ok: normal clients served through every flood"
exit "$status"
