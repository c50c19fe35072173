// The sealed copies of executables the simtee launches, kept between launches.
//
// A launch runs a sealed memfd copy of its executable, so the bytes measured are the
// bytes executed (sandbox.h, sealedCopy). Copying and hashing a 25 MB runtime on
// every launch cost ~45 ms of CPU, and every launched process mapped its own private
// copy of the program text. The cache keeps one sealed copy per file identity
// (device, inode, size, modification and change times) together with the SHA-256
// state after the measurement's executable part, so a launch of an unchanged file
// only hashes its launch configuration, and all launches of it share one copy.
//
// Why this is safe: the cached memfd is sealed against writes, growth and shrinking,
// so what every later launch executes is exactly what was hashed when the entry was
// made. A file replaced since gets a new identity and a new entry; one rewritten in
// place without changing any of those times would still run (and be measured as) the
// old bytes — the measurement always describes what runs.
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "common/error.h"
#include "crypto/digest.h"
#include "simtee/file_identity.h"

namespace clemmys::simtee {

class ExecutableCache {
 public:
  static constexpr size_t kMaxEntries = 8;  // least recently used beyond that are closed

  struct Entry {
    int fd = -1;                   // sealed memfd; owned by the cache
    crypto::Sha256 measuredPrefix;  // measurement state after the executable's bytes
    ~Entry();
  };

  // The entry for `path`, made now if the file is new or changed. The entry stays
  // valid while the caller holds the pointer. Errors: simtee.exec_unreadable,
  // simtee.launch_failed.
  Result<std::shared_ptr<const Entry>> get(const std::string& path);

 private:
  std::mutex mu_;
  std::list<std::pair<FileIdentity, std::shared_ptr<const Entry>>> entries_;  // most recent first
};

}  // namespace clemmys::simtee
