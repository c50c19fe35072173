#include "simtee/rootfs_builder.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/subprocess.h"

namespace clemmys::simtee {
namespace {

bool isElf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char magic[4] = {};
  bool elf = ::read(fd, magic, 4) == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
  ::close(fd);
  return elf;
}

// "a/b/../c" relative to `base` (a directory) -> normal absolute path.
std::string normalise(const std::string& base, const std::string& text) {
  std::string joined = text.starts_with('/') ? text : base + "/" + text;
  std::vector<std::string> parts;
  for (size_t at = 0; at <= joined.size();) {
    size_t slash = joined.find('/', at);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(at, slash - at);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    at = slash + 1;
  }
  std::string out;
  for (auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

// The absolute paths in `ld.so --list` output: "name => /path (0x..)" or "/path (0x..)".
std::vector<std::string> listedLibraries(const std::string& output) {
  std::vector<std::string> out;
  for (size_t at = 0; at < output.size();) {
    size_t nl = output.find('\n', at);
    if (nl == std::string::npos) nl = output.size();
    std::string line = output.substr(at, nl - at);
    at = nl + 1;
    size_t arrow = line.find("=> ");
    size_t start = arrow != std::string::npos ? arrow + 3 : line.find_first_not_of(" \t");
    if (start == std::string::npos || start >= line.size() || line[start] != '/') continue;
    size_t end = line.find(" (", start);
    out.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }
  return out;
}

Result<std::string> runLoaderList(const std::string& path) {
  SpawnOptions o;
  o.argv = {kDynamicLoader, "--list", path};
  o.env = std::vector<std::string>{};
  o.pipeStdout = true;
  o.pipeStderr = true;
  auto child = spawn(o);
  if (!child) return fail("simtee.rootfs_invalid", "ld.so --list " + path + ": " + child.error().str());
  child->closeStdin();
  std::string out;
  pollfd fds[2] = {{child->stdoutFd(), POLLIN, 0}, {child->stderrFd(), POLLIN, 0}};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (p.fd < 0 || p.revents == 0) continue;
      ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        p.fd = -1;
        --open;
      } else if (&p == &fds[0]) {
        out.append(buf, static_cast<size_t>(n));
      }
    }
  }
  (void)child->wait();  // a static binary or a non-library answers non-zero: no libraries
  return out;
}

}  // namespace

bool RootfsBuilder::covered(const std::string& path) const {
  for (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0; slash = path.rfind('/', slash - 1)) {
    auto it = entries_.find(path.substr(0, slash));
    if (it != entries_.end() && it->second.type == RootfsEntry::Type::tree) return true;
  }
  return false;
}

Result<std::string> RootfsBuilder::resolve(const std::string& path, int depth) {
  if (depth > 40) return fail("simtee.rootfs_invalid", "too many symbolic links at " + path);
  std::string cur;
  for (size_t at = 1; at <= path.size();) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    std::string next = cur + "/" + path.substr(at, slash - at);
    std::string rest = slash < path.size() ? path.substr(slash) : "";
    at = slash + 1;
    struct stat st{};
    if (::lstat(next.c_str(), &st) != 0) return fail("simtee.rootfs_invalid", next + ": " + std::strerror(errno));
    if (S_ISLNK(st.st_mode)) {
      std::string text(4096, '\0');
      ssize_t n = ::readlink(next.c_str(), text.data(), text.size());
      if (n <= 0) return fail("simtee.rootfs_invalid", next + ": unreadable link");
      text.resize(static_cast<size_t>(n));
      if (!covered(next)) entries_[next] = RootfsEntry{RootfsEntry::Type::link, next, "", false, text};
      return resolve(normalise(cur.empty() ? "/" : cur, text) + rest, depth + 1);
    }
    cur = next;
  }
  return cur.empty() ? std::string("/") : cur;
}

Status RootfsBuilder::add(const std::string& path) {
  if (!isNormalPath(path)) return fail("simtee.rootfs_invalid", path + " is not an absolute normal path");
  auto real = resolve(path, 0);
  if (!real) return std::unexpected(real.error());
  return addResolved(*real);
}

Status RootfsBuilder::addResolved(const std::string& path) {
  if (covered(path) || entries_.contains(path)) return {};
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return fail("simtee.rootfs_invalid", path + ": " + std::strerror(errno));
  std::vector<std::string> elves;
  if (S_ISREG(st.st_mode)) {
    auto digest = digests_.fileDigestHex(path);
    if (!digest) return std::unexpected(digest.error());
    entries_[path] = RootfsEntry{RootfsEntry::Type::file, path, *digest, (st.st_mode & S_IXUSR) != 0, ""};
    if (isElf(path)) elves.push_back(path);
  } else if (S_ISDIR(st.st_mode)) {
    auto digest = digests_.treeDigestHex(path);
    if (!digest) return std::unexpected(digest.error());
    std::erase_if(entries_, [&](const auto& kv) { return kv.first.starts_with(path + "/"); });
    entries_[path] = RootfsEntry{RootfsEntry::Type::tree, path, *digest, false, ""};
    std::vector<std::string> pending{path};
    while (!pending.empty()) {
      std::string dir = std::move(pending.back());
      pending.pop_back();
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) continue;
      while (dirent* ent = ::readdir(d)) {
        std::string name = ent->d_name;
        if (name == "." || name == "..") continue;
        std::string child = dir + "/" + name;
        struct stat cs{};
        if (::lstat(child.c_str(), &cs) != 0) continue;
        if (S_ISDIR(cs.st_mode)) pending.push_back(child);
        else if (S_ISREG(cs.st_mode) && isElf(child)) elves.push_back(child);
      }
      ::closedir(d);
    }
  } else {
    return fail("simtee.rootfs_invalid", path + " is neither a file nor a directory");
  }
  for (const auto& elf : elves) {
    if (auto s = addLibrariesOf(elf); !s) return s;
  }
  return {};
}

Status RootfsBuilder::addLibrariesOf(const std::string& path) {
  auto listed = runLoaderList(path);
  if (!listed) return std::unexpected(listed.error());
  for (const auto& lib : listedLibraries(*listed)) {
    if (lib == path) continue;
    if (auto s = add(lib); !s) return s;
  }
  return {};
}

Status RootfsBuilder::addState(const std::string& dir) {
  struct stat st{};
  if (!isNormalPath(dir) || ::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail("simtee.rootfs_invalid", dir + " is not a directory given by an absolute normal path");
  }
  entries_[dir] = RootfsEntry{RootfsEntry::Type::state, dir, "", false, ""};
  return {};
}

std::string RootfsBuilder::text() const {
  std::vector<RootfsEntry> all;
  for (const auto& [path, e] : entries_) all.push_back(e);
  return formatRootfsManifest(std::move(all));
}

}  // namespace clemmys::simtee
