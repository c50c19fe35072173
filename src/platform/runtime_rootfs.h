// The measured root file system of the platform's runtimes (doc/secure-mode.md,
// "Measured runtime launches"): the interpreters found on the runtime PATH, fixed by
// absolute path in the runtime's argv, and a manifest (doc/formats/rootfs-manifest.md)
// of everything a runtime and its functions may load: the runtime's shared libraries
// and loader, python3 with its standard library, node, /bin/sh and bash for blackbox
// scripts, the launcher scripts and the KMS certificate.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::platform {

struct RuntimeRootfs {
  std::string manifestPath;  // <data>/runtime-rootfs.manifest
  std::string python, node;  // resolved absolute paths; empty when not installed
  std::vector<std::string> args() const;  // --python P --node N (those found)
};

// Writes the manifest with `clemmys-simtee manifest`. `searchPath` is a PATH-style
// list to find python3 and node in. Errors: platform.rootfs_failed.
Result<RuntimeRootfs> writeRuntimeRootfs(const std::string& simteeBinary, const std::string& runtimeBinary,
                                         const std::string& launcherDir, const std::string& kmsCertPath,
                                         const std::string& searchPath, const std::string& dataDir);

// The measured root of a trusted service (KMS, gateway): `binary`'s libraries and
// loader, `files`, and `stateDirs` read-write, written to `manifestPath` with
// `clemmys-simtee manifest`. Error: platform.rootfs_failed.
Status writeServiceRootfs(const std::string& simteeBinary, const std::string& binary,
                          const std::vector<std::string>& files, const std::vector<std::string>& stateDirs,
                          const std::string& manifestPath);

// Runs argv, returns its stdout once it exits 0 within `timeoutMs`.
// Error: `errorName` naming argv[0] and the exit status.
Result<std::string> captureOutput(const std::vector<std::string>& argv, int timeoutMs, const std::string& errorName);

}  // namespace clemmys::platform
