#include "runtime/private_files.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "runtime/code_files.h"

namespace clemmys::runtime {
namespace {

bool writeProcFile(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// A mount namespace of our own, so the tmpfs is invisible outside and dies with us.
std::string enterPrivateMountNamespace() {
  if (::unshare(CLONE_NEWNS) != 0) {
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      return std::string("unshare: ") + std::strerror(errno);
    }
    // Map ourselves so files we create keep our identity outside. Inside id 0 is
    // avoided: mapping it needs CAP_SETFCAP in the parent namespace (Linux >= 5.12),
    // which a sandboxed process lacks; the capabilities we need come with the unshare.
    std::string inUid = std::to_string(uid == 0 ? 1000 : uid), inGid = std::to_string(gid == 0 ? 1000 : gid);
    if (!writeProcFile("/proc/self/setgroups", "deny") ||
        !writeProcFile("/proc/self/uid_map", inUid + " " + std::to_string(uid) + " 1") ||
        !writeProcFile("/proc/self/gid_map", inGid + " " + std::to_string(gid) + " 1")) {
      return std::string("id maps: ") + std::strerror(errno);
    }
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return std::string("private propagation: ") + std::strerror(errno);
  }
  return {};
}

// True when `dir` is the mount point of a tmpfs that is private to this mount
// namespace (no shared peer group), as clemmys-simtee's measured private_tmp sandbox
// option provides for /tmp.
bool isPrivateTmpfs(const std::string& dir) {
  FILE* f = std::fopen("/proc/self/mountinfo", "re");
  if (!f) return false;
  char line[4096];
  bool found = false;
  while (std::fgets(line, sizeof line, f)) {
    // id parent major:minor root mountpoint options [optional fields...] - fstype ...
    std::string l(line);
    size_t p = 0;
    std::string fields[5];
    for (int i = 0; i < 5 && p != std::string::npos; ++i) {
      size_t q = l.find(' ', p);
      fields[i] = l.substr(p, q == std::string::npos ? std::string::npos : q - p);
      p = q == std::string::npos ? q : q + 1;
    }
    size_t dash = l.find(" - ");
    if (fields[4] != dir || dash == std::string::npos) continue;
    std::string optional = p < dash ? l.substr(p, dash - p) : std::string();
    std::string fstype = l.substr(dash + 3, l.find(' ', dash + 3) - dash - 3);
    // The last mount on a mount point wins; keep scanning.
    found = fstype == "tmpfs" && optional.find("shared:") == std::string::npos;
  }
  std::fclose(f);
  return found;
}

}  // namespace

PrivateFiles PrivateFiles::prepare(const std::string& parent) {
  PrivateFiles out;
  std::string base = parent.empty() ? tempRoot() : parent;
  std::string templ = base + "/clemmys-files-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    out.reason_ = std::string("mkdtemp: ") + std::strerror(errno);
    return out;
  }
  out.dir_ = templ;
  // Under clemmys-simtee the temporary directory already is a private tmpfs.
  if (isPrivateTmpfs(base)) {
    out.available_ = true;
    out.onPrivateTmp_ = true;
    out.reason_.clear();
    return out;
  }
  if (std::string why = enterPrivateMountNamespace(); !why.empty()) {
    out.reason_ = why;
    return out;
  }
  if (::mount("tmpfs", out.dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=16m") != 0) {
    out.reason_ = std::string("mount tmpfs: ") + std::strerror(errno);
    return out;
  }
  out.available_ = true;
  out.reason_.clear();
  return out;
}

void PrivateFiles::remove() const {
  if (dir_.empty()) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) std::filesystem::remove_all(entry, ec);
  if (available_ && !onPrivateTmp_) ::umount2(dir_.c_str(), MNT_DETACH);
  ::rmdir(dir_.c_str());
}

Status PrivateFiles::write(const std::vector<std::pair<std::string, std::string>>& files) const {
  if (files.empty()) return {};
  if (!available_) {
    return fail("runtime.files_unprotected",
                "the function has configured files but no private tmpfs could be mounted (" + reason_ + ")");
  }
  for (const auto& [path, content] : files) {
    // Split into components; refuse anything that could leave the directory.
    std::string rel;
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      if (slash == std::string::npos) slash = path.size();
      std::string part = path.substr(pos, slash - pos);
      pos = slash + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") return fail("runtime.bad_file_path", "'..' in configured file path " + path);
      if (!rel.empty()) {
        std::string dir = dir_ + "/" + rel;
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
          return fail("runtime.write_failed", "mkdir " + dir + ": " + std::strerror(errno));
        }
        rel += "/";
      }
      rel += part;
    }
    if (rel.empty()) return fail("runtime.bad_file_path", "empty configured file path");
    if (auto st = writeFile(dir_ + "/" + rel, content, 0600); !st) return st;
  }
  return {};
}

}  // namespace clemmys::runtime
