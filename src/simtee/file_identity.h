// What the daemon takes as "the same file as before": device, inode, size, and the
// modification and change times in nanoseconds (a change time cannot be set back by
// anyone but root). Used by the caches of executables and of measured-root digests.
#pragma once

#include <sys/stat.h>

#include <cstdint>

namespace clemmys::simtee {

struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtimeNs = 0, ctimeNs = 0;
  bool operator==(const FileIdentity&) const = default;
};

inline FileIdentity identityOf(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_size, int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
}

}  // namespace clemmys::simtee
