// `clemmys attest verify FILE [--type sgx|tdx|snp|sim] [--collateral FILE]
//  [--at RFC3339-TIME] [--vcek FILE] [--chain FILE] [--root FILE]
//  [--allow-debug] [--no-time-check] [--json]`
//
// argv[0] = "clemmys", argv[1] = "attest". Exit 0 and the verified claims on
// `out`; exit 1 and the named failure (`attest.*`) on `err` (and, with --json,
// as {"error","message"} on `out`); exit 2 on usage errors.
// --type defaults to detection from the evidence header. --chain is the PCK
// chain for PPID quotes, or the ASK/ASVK+ARK PEM for SEV-SNP; --vcek the
// VCEK/VLEK; --root the sim installation's root certificate (required for sim).
#pragma once

#include <ostream>

namespace clemmys::attest {

int runAttestCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::attest
