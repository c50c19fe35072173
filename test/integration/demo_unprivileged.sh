#!/usr/bin/env bash
# The secure platform as an unprivileged user (doc/threat-model.md, "For which user
# setup", second row): `clemmys demo` run as uid 65534 must finish with every attack
# refused — the simtee then has no sandbox uids but still builds measured roots in
# user namespaces. Skipped (77) when not root or when that uid cannot reach the build.
set -euo pipefail
clemmys=${1:?usage: demo_unprivileged.sh CLEMMYS_BINARY}
[ "$(id -u)" = 0 ] || { echo "skip: needs root to become uid 65534"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
run() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
run test -x "$clemmys" || { echo "skip: uid 65534 cannot reach $clemmys"; exit 77; }
out=$(cd / && run env HOME=/tmp TMPDIR=/tmp timeout 180 "$clemmys" demo 2>&1) || {
  echo "$out" | tail -20; echo "FAIL: clemmys demo as uid 65534"; exit 1; }
echo "$out" | grep -q "demo done: all attacks refused" || { echo "$out" | tail -20; exit 1; }
echo "$out" | grep -q "in a measured root" || { echo "FAIL: no measured-root launch"; exit 1; }
echo "ok: clemmys demo as uid 65534"
