#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 16 (ASan + UBSan) and runs each for a short
# time (FUZZ_SECONDS, default 20). Seeds: the real evidence in ../shared/evidence
# (read in place, never copied into the repository) and generated samples.
# Usage: scripts/fuzz.sh [SECONDS]
# CI runs it for a few seconds a target (scripts/test.sh); the longer campaigns recorded
# in doc/ci.md are this script with SECONDS=120..180.
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
targets=(envelope_fuzz policy_fuzz attest_quote_fuzz attest_snp_report_fuzz attest_cert_chain_fuzz attest_collateral_fuzz
         tee_snp_cert_table_fuzz)
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
# A SEV-SNP certificate table (24-byte entries: GUID, little-endian offset and length,
# then a zero entry) listing the recorded VLEK as the leaf and as ASK and ARK.
seed tee_snp_cert_table_fuzz
python3 - "$evidence/snp/trustee_vlek_expired_2025-12-10.der" "$work/tee_snp_cert_table_fuzz/vlek_table" <<'PY' 2>/dev/null || true
import struct, sys, uuid
der = open(sys.argv[1], "rb").read()
guids = ["a8074bc2-a25a-483e-aae6-39c045a0b8a1", "4ab7b379-bbac-4fe4-a02f-05aef327c782",
         "c0b406a4-a803-4952-9743-3fb6014cd0ae"]  # VLEK, ASK, ARK
start = 24 * (len(guids) + 1)
table = b"".join(uuid.UUID(g).bytes + struct.pack("<II", start + i * len(der), len(der)) for i, g in enumerate(guids))
open(sys.argv[2], "wb").write(table + bytes(24) + der * len(guids))
PY
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
