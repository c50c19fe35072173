#include "simtee/rootfs_manifest.h"

#include <algorithm>
#include <set>

namespace clemmys::simtee {
namespace {

constexpr std::string_view kHeader = "clemmys-rootfs v1";

bool isHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool cleanText(std::string_view s) {
  return !s.empty() && s.size() <= 4096 &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at <= line.size()) {
    size_t sp = line.find(' ', at);
    if (sp == std::string_view::npos) sp = line.size();
    out.push_back(line.substr(at, sp - at));
    at = sp + 1;
  }
  return out;
}

bool isWithin(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

Result<RootfsEntry> parseLine(std::string_view line) {
  auto f = splitFields(line);
  RootfsEntry e;
  if (f.size() == 4 && f[0] == "file" && isHex64(f[1]) && (f[2] == "x" || f[2] == "-")) {
    e.type = RootfsEntry::Type::file;
    e.digestHex = f[1];
    e.executable = f[2] == "x";
    e.path = f[3];
  } else if (f.size() == 3 && f[0] == "tree" && isHex64(f[1])) {
    e.type = RootfsEntry::Type::tree;
    e.digestHex = f[1];
    e.path = f[2];
  } else if (f.size() == 2 && f[0] == "state") {
    e.type = RootfsEntry::Type::state;
    e.path = f[1];
  } else if (f.size() == 3 && f[0] == "link" && cleanText(f[1])) {
    e.type = RootfsEntry::Type::link;
    e.target = f[1];
    e.path = f[2];
  } else {
    return fail("simtee.rootfs_invalid", "not a manifest entry");
  }
  if (!isNormalPath(e.path) || e.path == "/") return fail("simtee.rootfs_invalid", "bad path");
  if (isReservedPath(e.path)) return fail("simtee.rootfs_invalid", e.path + " is provided by the daemon");
  return e;
}

}  // namespace

bool isNormalPath(std::string_view p) {
  if (p.empty() || p.size() > 4096 || p[0] != '/') return false;
  if (p == "/") return true;
  if (!cleanText(p) || p.back() == '/') return false;
  for (size_t at = 1; at <= p.size();) {
    size_t slash = p.find('/', at);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view part = p.substr(at, slash - at);
    if (part.empty() || part == "." || part == "..") return false;
    at = slash + 1;
  }
  return true;
}

bool isReservedPath(std::string_view p) {
  // Entries may lie below /tmp (a data directory there, say): they are bound inside
  // the private tmpfs, in directories its user cannot rename (rootfs-manifest.md).
  if (p == "/tmp") return true;
  for (std::string_view r : {"/proc", "/dev", "/run"}) {
    if (p == r || isWithin(p, r)) return true;
  }
  return false;
}

Result<RootfsManifest> parseRootfsManifest(std::string_view text) {
  if (text.size() > kMaxManifestBytes) return fail("simtee.rootfs_invalid", "manifest larger than 4 MiB");
  RootfsManifest m;
  crypto::Sha256 h;
  h.update(crypto::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  m.digest = h.digest();
  if (!text.ends_with('\n')) return fail("simtee.rootfs_invalid", "manifest must end with a newline");
  size_t lineNo = 0;
  std::set<std::string, std::less<>> seen;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    ++lineNo;
    if (lineNo == 1) {
      if (line != kHeader) return fail("simtee.rootfs_invalid", "line 1 must be \"clemmys-rootfs v1\"");
      continue;
    }
    auto e = parseLine(line);
    if (!e) return fail("simtee.rootfs_invalid", "line " + std::to_string(lineNo) + ": " + e.error().message);
    if (!seen.insert(e->path).second) {
      return fail("simtee.rootfs_invalid", "line " + std::to_string(lineNo) + ": " + e->path + " listed twice");
    }
    if (m.entries.size() >= kMaxManifestEntries) return fail("simtee.rootfs_invalid", "more than 65536 entries");
    m.entries.push_back(std::move(*e));
  }
  std::sort(m.entries.begin(), m.entries.end(), [](auto& a, auto& b) { return a.path < b.path; });
  // Nothing may sit inside a tree or below a file or link: each entry's ancestors are
  // directories the daemon creates. Sorted order puts every ancestor before its
  // descendants, so one look at the entries that are prefixes suffices.
  for (const auto& e : m.entries) {
    for (size_t slash = e.path.find('/', 1); slash != std::string::npos; slash = e.path.find('/', slash + 1)) {
      std::string_view parent(e.path.data(), slash);
      if (seen.contains(parent)) {
        return fail("simtee.rootfs_invalid", e.path + " lies inside the entry " + std::string(parent));
      }
    }
  }
  return m;
}

std::string formatRootfsManifest(std::vector<RootfsEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.path < b.path; });
  std::string out = std::string(kHeader) + "\n";
  for (const auto& e : entries) {
    switch (e.type) {
      case RootfsEntry::Type::file:
        out += "file " + e.digestHex + (e.executable ? " x " : " - ") + e.path + "\n";
        break;
      case RootfsEntry::Type::tree: out += "tree " + e.digestHex + " " + e.path + "\n"; break;
      case RootfsEntry::Type::link: out += "link " + e.target + " " + e.path + "\n"; break;
      case RootfsEntry::Type::state: out += "state " + e.path + "\n"; break;
    }
  }
  return out;
}

}  // namespace clemmys::simtee
