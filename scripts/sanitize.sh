#!/usr/bin/env bash
# The sanitizer job: builds everything with ASan + UBSan (GCC, -O2 -g) into its own
# build directory and runs the ctest suites with the given labels under the sanitizers.
# A report from either sanitizer fails the test that raised it, so fails the job.
# Usage: scripts/sanitize.sh [LABELS]   LABELS: a ctest -L regex, default "unit|integration"
# Environment: SANITIZE_BUILD_DIR (default build-asan), SANITIZE_JOBS (default nproc),
#   SANITIZE_ONLY: a ;-list of module folders (CLEMMYS_ONLY) to build and test only
#   those modules' unit tests, e.g. the trusted parsers in CI (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
labels=${1:-unit|integration}
build=${SANITIZE_BUILD_DIR:-build-asan}
jobs=${SANITIZE_JOBS:-$(nproc)}
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# Warnings are not errors here: instrumented code raises GCC false positives of its own;
# the plain builds (scripts/setup.sh, the Release build in scripts/test.sh) check them.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEMMYS_WERROR=OFF \
  -DCLEMMYS_SANITIZE=address,undefined "-DCLEMMYS_ONLY=${SANITIZE_ONLY:-}" "${launcher[@]}" >/dev/null
echo "sanitize: building $build (ASan + UBSan)"
ninja -C "$build" -j"$jobs" >"$build/build.log" || { tail -n 60 "$build/build.log"; exit 1; }
# The test processes themselves: leaks reported too. Processes the simtee launches get
# none of this environment (its allow-list refuses it) and run with the defaults compiled
# into every binary (cmake/sanitizer_options.c).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
echo "sanitize: ctest -L '$labels'"
ctest --test-dir "$build" -L "$labels" --output-on-failure -j"$jobs" --timeout 600
