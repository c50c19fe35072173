#include "simtee/rootfs_verifier.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/encoding.h"
#include "crypto/digest.h"

namespace clemmys::simtee {
namespace {

constexpr size_t kMaxCachedDigests = 200000;
constexpr std::string_view kTreeDomain = "clemmys-rootfs/tree/v1";

std::string hexOf(const crypto::Sha256Digest& d) { return toHex(std::span<const uint8_t>(d)); }

std::unexpected<Error> mismatch(const std::string& what) { return fail("simtee.rootfs_mismatch", what); }

struct TreeItem {
  std::string rel;
  char type;
  std::string detail;
};

}  // namespace

bool RootfsVerifier::trusted(const struct stat& st) const {
  if (st.st_uid != 0 && st.st_uid != trustedUid_) return false;
  if (S_ISLNK(st.st_mode)) return true;  // a link's mode means nothing; its directory guards it
  bool stickyDir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
  return stickyDir || (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

Status RootfsVerifier::checkAncestors(const std::string& path, std::set<std::string>& checked) {
  // Every directory on the way must be a real directory (no link: the manifest says
  // where links are) that only trusted users can change.
  for (size_t slash = 0; slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (checked.contains(dir)) continue;
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0) return mismatch(dir + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode)) return mismatch(dir + " is not a directory (a link must be listed as one)");
    if (!trusted(st)) return fail("simtee.rootfs_untrusted", dir + " can be changed by an untrusted user");
    checked.insert(dir);
  }
  return {};
}

Result<std::string> RootfsVerifier::digestOf(const std::string& path, const struct stat& st) {
  FileIdentity id = identityOf(st);
  {
    std::lock_guard lock(mu_);
    auto it = digests_.find(path);
    if (it != digests_.end() && it->second.first == id) return it->second.second;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return mismatch(path + ": " + std::strerror(errno));
  struct stat opened{};
  if (::fstat(fd, &opened) != 0 || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev) {
    ::close(fd);
    return mismatch(path + " changed while it was checked");
  }
  crypto::Sha256 h;
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return mismatch(path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    h.update(crypto::ByteView(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  std::string hex = hexOf(h.digest());
  std::lock_guard lock(mu_);
  if (digests_.size() >= kMaxCachedDigests) digests_.clear();
  digests_[path] = {id, hex};
  return hex;
}

Result<std::string> RootfsVerifier::fileDigestHex(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return mismatch(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return mismatch(path + " is not a regular file");
  if (!trusted(st)) return fail("simtee.rootfs_untrusted", path + " can be changed by an untrusted user");
  return digestOf(path, st);
}

Result<std::string> RootfsVerifier::treeDigestHex(const std::string& root) {
  std::vector<TreeItem> items;
  std::vector<std::string> pending{""};  // relative directories still to read
  while (!pending.empty()) {
    std::string rel = std::move(pending.back());
    pending.pop_back();
    std::string dirPath = rel.empty() ? root : root + "/" + rel;
    DIR* d = ::opendir(dirPath.c_str());
    if (d == nullptr) return mismatch(dirPath + ": " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* ent = ::readdir(d)) {
      std::string_view n = ent->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    for (auto& name : names) {
      std::string childRel = rel.empty() ? name : rel + "/" + name;
      std::string path = root + "/" + childRel;
      struct stat st{};
      if (::lstat(path.c_str(), &st) != 0) return mismatch(path + ": " + std::strerror(errno));
      if (!trusted(st)) return fail("simtee.rootfs_untrusted", path + " can be changed by an untrusted user");
      if (S_ISDIR(st.st_mode)) {
        items.push_back({childRel, 'd', ""});
        pending.push_back(childRel);
      } else if (S_ISREG(st.st_mode)) {
        auto digest = digestOf(path, st);
        if (!digest) return std::unexpected(digest.error());
        items.push_back({childRel, 'f', *digest + ((st.st_mode & S_IXUSR) ? " x" : " -")});
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(4096, '\0');
        ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
        if (n <= 0) return mismatch(path + ": unreadable link");
        target.resize(static_cast<size_t>(n));
        items.push_back({childRel, 'l', target});
      } else {
        return mismatch(path + " is neither a file, a directory nor a link");
      }
    }
  }
  std::sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.rel < b.rel; });
  crypto::Sha256 h;
  std::string head(kTreeDomain);
  head.push_back('\0');
  h.update(crypto::asBytes(head));
  for (const auto& it : items) {
    std::string line(1, it.type);
    line.push_back('\0');
    line += it.rel;
    line.push_back('\0');
    line += it.detail;
    line.push_back('\n');
    h.update(crypto::asBytes(line));
  }
  return hexOf(h.digest());
}

Status RootfsVerifier::checkEntry(const RootfsEntry& e, std::set<std::string>& checked) {
  if (e.type == RootfsEntry::Type::link) return {};
  if (auto s = checkAncestors(e.path, checked); !s) return s;
  struct stat st{};
  if (::lstat(e.path.c_str(), &st) != 0) return mismatch(e.path + ": " + std::strerror(errno));
  if (!trusted(st)) return fail("simtee.rootfs_untrusted", e.path + " can be changed by an untrusted user");
  if (e.type == RootfsEntry::Type::state) {
    if (!S_ISDIR(st.st_mode)) return mismatch(e.path + " is not a directory");
    return {};
  }
  if (e.type == RootfsEntry::Type::file) {
    if (!S_ISREG(st.st_mode)) return mismatch(e.path + " is not a regular file");
    if (((st.st_mode & S_IXUSR) != 0) != e.executable) return mismatch(e.path + ": execute bit differs");
    auto digest = digestOf(e.path, st);
    if (!digest) return std::unexpected(digest.error());
    if (*digest != e.digestHex) return mismatch(e.path + ": digest " + *digest + ", manifest has " + e.digestHex);
    return {};
  }
  if (!S_ISDIR(st.st_mode)) return mismatch(e.path + " is not a directory");
  auto digest = treeDigestHex(e.path);
  if (!digest) return std::unexpected(digest.error());
  if (*digest != e.digestHex) return mismatch(e.path + ": tree digest " + *digest + ", manifest has " + e.digestHex);
  return {};
}

Result<RootfsManifest> RootfsVerifier::load(const std::string& path) {
  if (!isNormalPath(path)) return fail("simtee.rootfs_invalid", "the manifest path must be absolute and normal");
  std::set<std::string> checked;
  if (auto s = checkAncestors(path, checked); !s) {
    return fail("simtee.rootfs_untrusted", "manifest " + path + ": " + s.error().message);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st{};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(st)) {
    if (fd >= 0) ::close(fd);
    return fail("simtee.rootfs_untrusted", "manifest " + path + " is not a trusted regular file");
  }
  if (static_cast<size_t>(st.st_size) > kMaxManifestBytes) {
    ::close(fd);
    return fail("simtee.rootfs_invalid", "manifest larger than 4 MiB");
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  ::close(fd);
  if (n != st.st_size) return fail("simtee.rootfs_invalid", "short read of the manifest");
  auto manifest = parseRootfsManifest(text);
  if (!manifest) return std::unexpected(manifest.error());
  for (const auto& e : manifest->entries) {
    if (auto s = checkEntry(e, checked); !s) return std::unexpected(s.error());
  }
  return manifest;
}

Result<RootPlan> planRoot(const RootfsManifest& manifest, const std::string& socketPath) {
  RootPlan plan;
  std::set<std::string> dirs{"/proc", "/dev", "/tmp", "/run", "/run/clemmys"};
  for (const auto& e : manifest.entries) {
    for (size_t slash = e.path.find('/', 1); slash != std::string::npos; slash = e.path.find('/', slash + 1)) {
      dirs.insert(e.path.substr(0, slash));
    }
  }
  plan.dirs.assign(dirs.begin(), dirs.end());  // sorted: a parent sorts before its children
  auto lockedFlags = [](const std::string& source) -> Result<unsigned long> {
    struct statvfs sv{};
    if (::statvfs(source.c_str(), &sv) != 0) return fail("simtee.launch_failed", "statvfs " + source);
    unsigned long f = MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
  };
  for (const auto& e : manifest.entries) {
    if (e.type == RootfsEntry::Type::link) {
      plan.links.emplace_back(e.target, e.path);
      continue;
    }
    auto flags = lockedFlags(e.path);
    if (!flags) return std::unexpected(flags.error());
    bool dir = e.type == RootfsEntry::Type::tree || e.type == RootfsEntry::Type::state;
    plan.binds.push_back({e.path, e.path, dir, e.type != RootfsEntry::Type::state, *flags});
  }
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}) {
    plan.binds.push_back({dev, dev, false, false, 0});
  }
  plan.binds.push_back({socketPath, kRootSocketPath, false, false, 0});
  return plan;
}

}  // namespace clemmys::simtee
