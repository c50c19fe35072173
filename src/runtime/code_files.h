// Files of an action on disk: a private temporary directory, writing the code into it,
// unpacking archives (with the system `unzip` and `tar`), and finding executables.
// Everything the runtime writes is private to its user (0700 directories, mkstemp).
// Thread safety: free functions are thread-safe; a TempDir is owned by one thread.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "runtime/kind.h"

namespace clemmys::runtime {

// A directory created with mkdtemp under `parent` (empty: $TMPDIR or /tmp), removed
// recursively when the object is destroyed.
class TempDir {
 public:
  static Result<TempDir> create(std::string_view parent = {});
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  TempDir& operator=(TempDir&& o) noexcept;
  ~TempDir();

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// $TMPDIR when set and non-empty, else "/tmp".
std::string tempRoot();

// Creates (or truncates) `path` with `mode` and writes all of `bytes`.
Status writeFile(const std::string& path, std::string_view bytes, unsigned mode);

// Unpacks a zip, tar or gzipped tar held in `bytes` into `dir`, in process with
// libarchive (archive_extract.cc). Entries with absolute paths, ".." or other kinds
// than files, directories and links are refused, not skipped.
// Errors: "runtime.unpack_failed", "runtime.not_archive".
Status extractArchive(std::string_view bytes, CodeFormat format, const std::string& dir);

// Looks `name` up in $PATH (or returns it when it contains a '/').
// Error: "runtime.not_found".
Result<std::string> findExecutable(std::string_view name);

bool isRegularFile(const std::string& path);

}  // namespace clemmys::runtime
