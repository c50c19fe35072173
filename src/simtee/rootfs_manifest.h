// The root file-system manifest of a measured launch (doc/formats/rootfs-manifest.md):
// parsing with every syntax rule checked, and the canonical text. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "crypto/digest.h"

namespace clemmys::simtee {

struct RootfsEntry {
  enum class Type { file, tree, link, state };
  Type type = Type::file;
  std::string path;       // absolute, normal
  std::string digestHex;  // file, tree: 64 lowercase hex
  bool executable = false;  // file
  std::string target;     // link
  // state: a directory bound read-write; its contents are the process's own
  // (unmeasured) state, only its path is part of the manifest.
};

struct RootfsManifest {
  crypto::Sha256Digest digest{};     // SHA-256 of the manifest's bytes (measured)
  std::vector<RootfsEntry> entries;  // sorted by path
};

inline constexpr size_t kMaxManifestBytes = 4u << 20;
inline constexpr size_t kMaxManifestEntries = 65536;

// Errors: simtee.rootfs_invalid, naming the line.
Result<RootfsManifest> parseRootfsManifest(std::string_view text);
// The text of `entries` (sorted by path first), which parseRootfsManifest accepts.
std::string formatRootfsManifest(std::vector<RootfsEntry> entries);
// Absolute, no empty/"."/".." component, no trailing '/', no space/control/NUL.
bool isNormalPath(std::string_view path);
// Paths the daemon itself provides in every measured root (/proc, /dev, /run and
// beneath, /tmp itself).
bool isReservedPath(std::string_view path);

}  // namespace clemmys::simtee
