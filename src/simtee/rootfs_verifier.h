// Checks a root file-system manifest against the host before a launch, and plans the
// mounts that build the launch's root from it (doc/formats/rootfs-manifest.md, "What
// the daemon checks"). File digests are cached per path with the identity they were
// read under (device, inode, size, mtime, ctime), so an unchanged file is hashed once;
// a tree is walked on every check.
//
// Thread safety: all methods may be called concurrently (the cache has a mutex).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "simtee/file_identity.h"
#include "simtee/rootfs_manifest.h"

namespace clemmys::simtee {

// What a launch's child does to build its root, computed by the daemon (the child
// between clone and exec only makes system calls on these strings).
struct RootPlan {
  struct Bind {
    std::string source;       // host path
    std::string target;       // path inside the root, starting with '/'
    bool directory = false;   // the mount point is a directory (else an empty file)
    bool readOnly = true;
    unsigned long flags = 0;  // MS_* to keep on the read-only remount (the source's locked flags)
  };
  std::vector<std::string> dirs;  // inside the root, parents first
  std::vector<Bind> binds;
  std::vector<std::pair<std::string, std::string>> links;  // {link text, path inside the root}
};

// Where the daemon's socket appears inside a measured root.
inline constexpr const char* kRootSocketPath = "/run/clemmys/simtee.sock";

class RootfsVerifier {
 public:
  // Files and directories must be owned by root or `trustedUid` (the daemon's euid).
  explicit RootfsVerifier(uid_t trustedUid) : trustedUid_(trustedUid) {}

  // Reads the manifest at `path` (trusted, regular), parses it and checks every entry
  // against the host. Errors: simtee.rootfs_untrusted, simtee.rootfs_invalid,
  // simtee.rootfs_mismatch.
  Result<RootfsManifest> load(const std::string& path);

  // The digests a manifest records, also used to write one. Errors as load().
  Result<std::string> fileDigestHex(const std::string& path);
  Result<std::string> treeDigestHex(const std::string& dir);

  // Whether `st` is owned by root or the trusted uid and written by nobody else.
  bool trusted(const struct stat& st) const;

 private:
  // `checked` holds the directories already found good during one load().
  Status checkEntry(const RootfsEntry& e, std::set<std::string>& checked);
  Status checkAncestors(const std::string& path, std::set<std::string>& checked);
  Result<std::string> digestOf(const std::string& path, const struct stat& st);

  uid_t trustedUid_;
  std::mutex mu_;
  std::unordered_map<std::string, std::pair<FileIdentity, std::string>> digests_;
};

// The mounts, directories and links for `manifest`, with the daemon's devices, /proc,
// /tmp and socket (`socketPath` on the host). Error: simtee.launch_failed (statvfs).
Result<RootPlan> planRoot(const RootfsManifest& manifest, const std::string& socketPath);

}  // namespace clemmys::simtee
