// The simtee's MRENCLAVE analogue (doc/simtee.md, "Measurement"):
//
//   measurement = SHA-256( "clemmys-simtee/measurement/v1" 0x00
//                          || u64 len(exe) || exe bytes
//                          || u32 (argc - 1) || for argv[1..]: u32 len || bytes
//                          || u8 flags || u64 memory_limit_bytes || u64 max_open_files )
//   flags = user_ns | pid_ns << 1 | mount_ns << 2 | ipc_ns << 3 | net_ns << 4 | seccomp << 5
//
// All integers big-endian. argv[0] (the path) is not measured: the bytes are,
// and install paths differ between machines. env and cwd are not measured: like
// an enclave's host environment they are untrusted input the program must
// validate, and measuring them would let every host-specific value (PATH,
// ports, temp dirs) change the identity that policies pin.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/digest.h"
#include "tee/simtee_client.h"

namespace clemmys::simtee {

crypto::Bytes canonicalLaunchConfig(const std::vector<std::string>& argv, const tee::SandboxOptions& sandbox);
crypto::Sha256Digest measure(crypto::ByteView executable, const std::vector<std::string>& argv,
                             const tee::SandboxOptions& sandbox);
// The same measurement in two steps, so an executable launched many times is hashed
// once: the state after the domain, length and bytes, then the launch configuration.
crypto::Sha256 measurementPrefix(crypto::ByteView executable);
crypto::Sha256Digest finishMeasurement(const crypto::Sha256& prefix, const std::vector<std::string>& argv,
                                       const tee::SandboxOptions& sandbox);

}  // namespace clemmys::simtee
