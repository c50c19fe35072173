#!/usr/bin/env bash
# Sets everything up, builds, and runs every test: unit (ctest), multi-process
# integration, and end-to-end with the npm openwhisk client.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
echo "== unit and integration tests (ctest)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300
if [ -f test/e2e/run.sh ]; then
  echo "== end-to-end tests (npm openwhisk client)"
  bash test/e2e/run.sh "$BUILD_DIR"
  echo "== end-to-end: owner and provider as two Unix users (doc/deploy.md)"
  bash test/e2e/owner_provider.sh "$BUILD_DIR" || { rc=$?; [ "$rc" = 77 ] || exit "$rc"; }
fi
echo "== fuzzing (libFuzzer, clang 16, ASan+UBSan): every parser, ${FUZZ_SECONDS:-10}s each"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
# --- build types and sanitizers (issue 16; doc/ci.md) ----------------------------------
# The main build above is RelWithDebInfo; Release (-O3) of the shipped binaries too,
# with warnings as errors. The sanitizer job runs over the unit tests of the trusted
# parsers and crypto; the full job (every unit and integration test) is
# scripts/sanitize.sh on its own, too long for every run.
echo "== Release build of the shipped binaries (-Werror)"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCLEMMYS_WERROR=ON >/dev/null
ninja -C build-release -j"$(nproc)" clemmys clemmys-runtime clemmys-gateway clemmys-kms clemmys-simtee
echo "== sanitizers (ASan + UBSan): unit tests of the trusted parsers, crypto and heap"
SANITIZE_ONLY="src/common;src/http;src/crypto;src/attest;src/envelope;src/tee;src/policy;src/heap" \
  bash scripts/sanitize.sh unit
# --- end of build types and sanitizers -------------------------------------------------
echo "== trusted binaries link no untrusted module"
bash scripts/tcb.sh "$BUILD_DIR" --check >/dev/null
echo "== all tests passed"
