#!/usr/bin/env bash
# The owner and the provider as two Unix users with separate directories
# (doc/deploy.md). The provider (uid P) runs `clemmys up --provider` and hands over
# provider.json. The owner (uid O) runs `clemmys owner init`, `verify-kms` and
# `apply` (a policy with a supplied secret), then the npm `openwhisk` suites and the
# secure marker probe through the provider's gateway with the owner's wskprops.
# Afterwards, as uid P, every file P can read on this machine is searched for the
# owner's private key, the client credential and the released secret: none may be
# found. The same search as uid O over the owner's directory must find all three
# (the search's own control).
# Skipped (77) when not root (two users need root to become them).
# Usage: test/e2e/owner_provider.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
[ "$(id -u)" = 0 ] || { echo "skip: needs root to run the owner and the provider as two users"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
[ -d "$here/node_modules/openwhisk" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

P=1999990011  # the provider's uid, O the owner's: no passwd entries needed
O=1999990012
as_provider() { setpriv --reuid=$P --regid=$P --clear-groups "$@"; }
as_owner() { setpriv --reuid=$O --regid=$O --clear-groups "$@"; }
as_provider test -x "$build/bin/clemmys" || { echo "skip: uid $P cannot reach $build"; exit 77; }
as_owner test -r "$here/actions.test.mjs" || { echo "skip: uid $O cannot read $here"; exit 77; }

pdir=$(mktemp -d /tmp/clemmys-provider.XXXXXX)
odir=$(mktemp -d /tmp/clemmys-owner.XXXXXX)
chown "$P:$P" "$pdir"; chown "$O:$O" "$odir"; chmod 0700 "$pdir" "$odir"
up_pid=""
cleanup() {
  if [ -n "$up_pid" ]; then kill -TERM "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; fi
  rm -rf "$pdir" "$odir"
}
trap cleanup EXIT
log=$pdir/up.log
fail() { echo "FAIL: $*"; echo "--- provider log"; tail -n 40 "$log"; exit 1; }
wait_for() {  # wait_for PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    grep -q "$1" "$log" 2>/dev/null && return 0
    kill -0 "$up_pid" 2>/dev/null || fail "clemmys up --provider exited"
    sleep 0.1
  done
  fail "no '$1' in $2 s"
}

echo "== provider (uid $P): clemmys up --provider"
(cd / && exec setpriv --reuid=$P --regid=$P --clear-groups env HOME="$pdir" TMPDIR="$pdir" \
  "$build/bin/clemmys" up --provider --data-dir "$pdir/data") >"$log" 2>&1 &
up_pid=$!
wait_for "waiting for the owner's policy" 120
grep -q "provider mode" "$log" || fail "no provider-mode line"
[ ! -e "$pdir/data/owner" ] && [ ! -e "$pdir/data/wskprops" ] || fail "the provider created owner files"
# What the provider sends the owner: one public file, and where its KMS is.
install -o "$O" -g "$O" -m 0600 "$pdir/data/provider.json" "$odir/provider.json"
kms_url=$(cat "$pdir/data/kms-url")

echo "== owner (uid $O): init, verify-kms, apply"
owner() { (cd / && as_owner env HOME="$odir" "$build/bin/clemmys" owner "$@" --dir "$odir/o"); }
owner init
owner verify-kms "$kms_url" --provider "$odir/provider.json" | tee "$odir/verify.txt"
grep -q "^ok kms evidence" "$odir/verify.txt" || fail "verify-kms printed no KMS check"
tag=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
secret="policy-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
as_owner sh -c 'umask 077; cat >"$1"' _ "$odir/policy.yaml" <<EOF
functions:
  /guest/markers-$tag:
    env: {MARKER_SECRET: "\$\$secret:marker-secret\$\$"}
secrets:
  - {name: marker-secret, kind: supplied, value: "$secret"}
EOF
owner apply "$odir/policy.yaml"
owner history >/dev/null
wait_for "^clemmys ready (provider mode)" 120
[ -s "$pdir/data/session-ca.pem" ] || fail "no session CA on the provider's side"

echo "== owner: the npm openwhisk suites through the provider's gateway"
# shellcheck disable=SC1091
. "$odir/o/wskprops"
status=0
(cd "$here" && as_owner env HOME="$odir" __OW_API_HOST="$APIHOST" __OW_API_KEY="$AUTH" \
  NODE_EXTRA_CA_CERTS="$CACERT" CLEMMYS_BUILD_DIR="$build" CLEMMYS_MARKER_TAG="$tag" CLEMMYS_MARKER_SECRET="$secret" \
  sh -c 'node --test --test-concurrency=1 ./*.test.mjs && node --test ./markers.secure.mjs') || status=$?
[ "$status" = 0 ] || fail "the suites failed through the provider's gateway"

kill -TERM "$up_pid"; wait "$up_pid" 2>/dev/null || true; up_pid=""
grep -q "^clemmys: stopped" "$log" || fail "clemmys up --provider did not stop cleanly"

echo "== scan: every file uid $P can read, for the owner's key, the client credential and the secret"
key_line=$(grep -v -- '-----' "$odir/o/owner.pem" | awk 'length > 40' | head -n 1)
client_key=${AUTH#*:}
[ -n "$key_line" ] && [ ${#client_key} -ge 32 ] || fail "cannot read the owner's secrets for the scan"
scan() {  # scan UID-RUNNER DIR... : prints the readable files holding any of the three
  local runner=$1; shift
  "$runner" find "$@" -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /usr -o -path /boot \
    -o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg \) -prune \
    -o -type f -readable -print0 2>/dev/null |
    "$runner" xargs -0 -r grep -F -l -s -e "$key_line" -e "$client_key" -e "$secret" -- || true
}
start=$(date +%s)
found=$(scan as_provider / /dev/shm)
files=$(as_provider find / /dev/shm -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /usr -o -path /boot \
  -o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg \) -prune -o -type f -readable -print 2>/dev/null | wc -l || true)
echo "scanned $files files readable by uid $P in $(($(date +%s) - start)) s"
[ -z "$found" ] || { echo "$found"; fail "the provider's user can read owner secrets in the files above"; }
control=$(scan as_owner "$odir")
for what in "$key_line" "$client_key" "$secret"; do
  grep -q . <<<"$(as_owner grep -r -F -l -s -e "$what" "$odir" || true)" || fail "control: the owner's own files lack a secret"
done
[ -n "$control" ] || fail "control scan found nothing"
echo "ok: owner and provider as two users; no owner secret readable by the provider's user"
