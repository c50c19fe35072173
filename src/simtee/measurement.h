// The simtee's MRENCLAVE analogue (doc/simtee.md, "Measurement"):
//
//   measurement = SHA-256( "clemmys-simtee/measurement/v2" 0x00
//                          || u64 len(exe) || exe bytes
//                          || u32 (argc - 1) || for argv[1..]: u32 len || bytes
//                          || u8 flags || u64 memory_limit_bytes || u64 max_open_files
//                          || u8 has_rootfs || [32-byte manifest digest] )
//   flags = user_ns | pid_ns << 1 | mount_ns << 2 | ipc_ns << 3 | net_ns << 4 | seccomp << 5
//           | private_tmp << 6
//
// All integers big-endian. argv[0] (the path) is not measured: the bytes are,
// and install paths differ between machines. cwd and the values of the
// allow-listed environment variables are not measured (doc/simtee.md, "Measured
// launch"); the files a launch can load are, through its root manifest.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/digest.h"
#include "tee/simtee_client.h"

namespace clemmys::simtee {

// `rootfs`: the SHA-256 of the launch's root manifest, or null for the host's file system.
crypto::Bytes canonicalLaunchConfig(const std::vector<std::string>& argv, const tee::SandboxOptions& sandbox,
                                    const crypto::Sha256Digest* rootfs = nullptr);
crypto::Sha256Digest measure(crypto::ByteView executable, const std::vector<std::string>& argv,
                             const tee::SandboxOptions& sandbox, const crypto::Sha256Digest* rootfs = nullptr);
// The same measurement in two steps, so an executable launched many times is hashed
// once: the state after the domain, length and bytes, then the launch configuration.
crypto::Sha256 measurementPrefix(crypto::ByteView executable);
crypto::Sha256Digest finishMeasurement(const crypto::Sha256& prefix, const std::vector<std::string>& argv,
                                       const tee::SandboxOptions& sandbox, const crypto::Sha256Digest* rootfs = nullptr);

}  // namespace clemmys::simtee
