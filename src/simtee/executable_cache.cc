#include "simtee/executable_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "simtee/measurement.h"
#include "simtee/sandbox.h"

namespace clemmys::simtee {

ExecutableCache::Entry::~Entry() {
  if (fd >= 0) ::close(fd);
}

Result<std::shared_ptr<const ExecutableCache::Entry>> ExecutableCache::get(const std::string& path) {
  // The identity comes from the open descriptor the bytes are read from, not from a
  // separate stat of the path: no window for a swap between the two.
  int src = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return fail("simtee.exec_unreadable", "open " + path + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(src, &st) != 0) {
    int e = errno;
    ::close(src);
    return fail("simtee.exec_unreadable", "stat " + path + ": " + std::strerror(e));
  }
  FileIdentity id = identityOf(st);
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == id) {
      ::close(src);
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().second;
    }
  }
  std::string bytes;
  auto fd = sealedCopyOf(src, path, bytes);
  if (!fd) return std::unexpected(fd.error());
  auto entry = std::make_shared<Entry>();
  entry->fd = *fd;
  entry->measuredPrefix = measurementPrefix(crypto::asBytes(bytes));
  entries_.emplace_front(id, entry);
  if (entries_.size() > kMaxEntries) entries_.pop_back();  // closed when its last user is done
  return std::shared_ptr<const Entry>(std::move(entry));
}

}  // namespace clemmys::simtee
