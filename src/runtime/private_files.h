// Secure mode's private file directory: the function's configured files (secrets
// resolved by the KMS) live on a tmpfs mounted in the runtime's own mount namespace,
// so they never reach the host's disks and no process outside the runtime's
// namespace sees them. The directory is exposed to the function as
// CLEMMYS_FILES_DIR; a policy path "/etc/app.conf" becomes "$CLEMMYS_FILES_DIR/etc/app.conf".
//
// prepare() must run while the process is single-threaded (it may unshare a user
// namespace). It tries, in order: a new mount namespace (needs CAP_SYS_ADMIN), then a
// new user + mount namespace; then mounts tmpfs (mode 0700, nosuid, nodev). When none
// works (e.g. the simtee's seccomp filter denies mount), the directory is unavailable
// and write() of any file fails closed with runtime.files_unprotected.
// Thread safety: write() from one thread at a time.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace clemmys::runtime {

class PrivateFiles {
 public:
  static PrivateFiles prepare(const std::string& parent);
  PrivateFiles() = default;

  bool available() const { return available_; }
  const std::string& dir() const { return dir_; }
  const std::string& unavailableReason() const { return reason_; }

  // Writes each (policy path, content) below dir() (files 0600, directories 0700).
  // Errors: runtime.files_unprotected, runtime.bad_file_path ("..", empty), runtime.write_failed.
  Status write(const std::vector<std::pair<std::string, std::string>>& files) const;
  // Best effort at shutdown: wipes the files, unmounts, removes the directory (the
  // mount point would otherwise outlive the namespace as an empty host directory).
  void remove() const;

 private:
  friend struct PrivateFilesForTesting;  // private_files_testing.h, linked into tests only
  std::string dir_;
  bool available_ = false;
  bool onPrivateTmp_ = false;  // inside the simtee's private /tmp: nothing to unmount
  std::string reason_ = "not prepared";
};

}  // namespace clemmys::runtime
