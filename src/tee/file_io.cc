#include "tee/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace clemmys::tee {

Result<std::string> readWholeFile(const std::string& path, const std::string& errorName) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errorName, "open " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return fail(errorName, "read " + path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status writeWholeFile(const std::string& path, std::string_view data, const std::string& errorName) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return fail(errorName, "open " + path + ": " + std::strerror(errno));
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  int e = errno;
  ::close(fd);
  if (n < 0) return fail(errorName, "write " + path + ": " + std::strerror(e));
  if (static_cast<size_t>(n) != data.size()) return fail(errorName, "short write to " + path);
  return {};
}

}  // namespace clemmys::tee
