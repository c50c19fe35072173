#include "runtime/code_files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/subprocess.h"

namespace clemmys::runtime {

std::string tempRoot() {
  const char* t = std::getenv("TMPDIR");
  return (t && *t) ? std::string(t) : std::string("/tmp");
}

Result<TempDir> TempDir::create(std::string_view parent) {
  std::string pattern = (parent.empty() ? tempRoot() : std::string(parent)) +
                        "/clemmys-action-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    return fail("runtime.tempdir_failed", pattern + ": " + std::strerror(errno));
  }
  return TempDir(std::string(buf.data()));
}

TempDir& TempDir::operator=(TempDir&& o) noexcept {
  if (this != &o) {
    this->~TempDir();
    path_ = std::exchange(o.path_, {});
  }
  return *this;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

Status writeFile(const std::string& path, std::string_view bytes, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                  static_cast<mode_t>(mode));
  if (fd < 0) return fail("runtime.write_failed", path + ": " + std::strerror(errno));
  // open() applies the umask; the mode is part of the contract (e.g. executables).
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return fail("runtime.write_failed", path + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return fail("runtime.write_failed", path + ": " + std::strerror(errno));
  return {};
}

Result<std::string> findExecutable(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::string(name);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0 && isRegularFile(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return fail("runtime.not_found", std::string(name) + " is not in PATH");
}

bool isRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status extractArchive(std::string_view bytes, CodeFormat format, const std::string& dir) {
  if (format == CodeFormat::text || format == CodeFormat::elf) {
    return fail("runtime.not_archive", "code is neither a zip nor a tar archive");
  }
  // The archive file lives beside the target directory's contents only briefly; a
  // dot-name keeps it out of the way of an `exec` or `__main__.py` it contains.
  std::string archive = dir + "/.clemmys-archive";
  if (auto st = writeFile(archive, bytes, 0600); !st) return st;
  std::vector<std::string> argv;
  if (format == CodeFormat::zip) {
    auto unzip = findExecutable("unzip");
    if (!unzip) return std::unexpected(unzip.error());
    argv = {*unzip, "-qq", "-o", archive, "-d", dir};
  } else {
    auto tar = findExecutable("tar");
    if (!tar) return std::unexpected(tar.error());
    argv = {*tar, format == CodeFormat::gzip ? "-xzf" : "-xf", archive, "-C", dir,
            "--no-same-owner"};
  }
  SpawnOptions options;
  options.argv = std::move(argv);
  // The tools' complaints must not end up in the activation logs of the action.
  options.pipeStdout = true;
  options.pipeStderr = true;
  auto child = spawn(options);
  if (!child) {
    ::unlink(archive.c_str());
    return fail("runtime.unpack_failed", child.error().str());
  }
  // Drain both pipes (keeping a bounded amount of stderr) so the tool never blocks.
  std::string errors;
  child->closeStdin();
  struct pollfd fds[2] = {{child->stdoutFd(), POLLIN, 0}, {child->stderrFd(), POLLIN, 0}};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (auto& p : fds) {
      if (p.fd < 0 || p.revents == 0) continue;
      ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        p.fd = -1;
        --open;
      } else if (&p == &fds[1] && errors.size() < 2048) {
        errors.append(buf, static_cast<size_t>(n));
      }
    }
  }
  auto status = child->wait();
  ::unlink(archive.c_str());
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r')) errors.pop_back();
    return fail("runtime.unpack_failed",
                std::string(format == CodeFormat::zip ? "unzip" : "tar") + " failed" +
                    (errors.empty() ? std::string() : ": " + errors));
  }
  return {};
}

}  // namespace clemmys::runtime
