#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 16 (ASan + UBSan) and runs each for a short
# time (FUZZ_SECONDS, default 20). Seeds: the real evidence in ../shared/evidence
# (read in place, never copied into the repository) and generated samples.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-20}}
if ! command -v clang++-16 >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends clang-16 libclang-rt-16-dev >/dev/null
fi
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 -DCLEMMYS_FUZZ=ON \
  -DCLEMMYS_WERROR=OFF "-DCLEMMYS_ONLY=src/common;src/http;src/crypto;src/tee;src/attest;src/envelope;src/policy" >/dev/null
targets=(envelope_fuzz policy_fuzz attest_quote_fuzz attest_snp_report_fuzz attest_cert_chain_fuzz attest_collateral_fuzz)
echo "fuzz: building ${targets[*]}"
ninja -C "$build" -j"$(nproc)" "${targets[@]}" >/dev/null

evidence=../shared/evidence
work=$(mktemp -d /tmp/clemmys-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
seed() {  # seed TARGET FILES...
  local dir="$work/$1"; mkdir -p "$dir"; shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/" || true; done
}
seed attest_quote_fuzz "$evidence"/sgx/sgx_quote "$evidence"/tdx/tdx_quote "$evidence"/tdx/tdx_quote_outdated "$evidence"/negative/*.dat
seed attest_snp_report_fuzz "$evidence"/snp/*.bin
seed attest_cert_chain_fuzz "$evidence"/snp/*.pem "$evidence"/negative/*.pem
seed attest_collateral_fuzz "$evidence"/sgx/*.json "$evidence"/tdx/*.json
seed policy_fuzz doc/formats/*.yaml examples/policies/*.yaml
seed envelope_fuzz
status=0
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/fuzz/$t" "$work/$t" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/$t-" >"$work/$t.log" 2>&1; then
    echo "fuzz: $t FAILED"; tail -n 40 "$work/$t.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/$t.log" | tail -n 2 | sed "s/^/  /"
  fi
done
exit "$status"
