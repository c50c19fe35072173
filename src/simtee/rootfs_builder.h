// Writes a root file-system manifest (doc/formats/rootfs-manifest.md, "Producing
// one") for the paths a launch needs: symbolic links on the way become `link`
// entries, files `file` entries, directories `tree` entries, and every ELF file
// (also beneath a directory) pulls in the shared libraries and the loader that
// `ld.so --list` reports for it. Runs on the untrusted side (`clemmys up`); the
// daemon checks whatever it produces. Not thread-safe (one builder per thread).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "simtee/rootfs_manifest.h"
#include "simtee/rootfs_verifier.h"

namespace clemmys::simtee {

class RootfsBuilder {
 public:
  // Adds `path` (file or directory) with the links leading to it and its libraries.
  // Error: simtee.rootfs_invalid (missing path, unsupported object, link loop).
  Status add(const std::string& path);
  // Adds only the shared libraries and loader of the ELF file `path`.
  Status addLibrariesOf(const std::string& path);
  // Adds `dir` as a read-write state directory (its path only; no digest).
  // Error: simtee.rootfs_invalid (not an absolute normal path to a directory).
  Status addState(const std::string& dir);
  std::string text() const;

 private:
  Result<std::string> resolve(const std::string& path, int depth);
  Status addResolved(const std::string& path);
  bool covered(const std::string& path) const;  // inside a tree already listed

  std::map<std::string, RootfsEntry> entries_;
  RootfsVerifier digests_{::geteuid()};
};

// The dynamic loader `ld.so --list` is run with (x86-64 Debian).
inline constexpr const char* kDynamicLoader = "/lib64/ld-linux-x86-64.so.2";

}  // namespace clemmys::simtee
