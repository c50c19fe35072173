// extractArchive (code_files.h) with libarchive, in process: the runtime runs no
// unzip or tar found on a PATH, and every entry's path is checked before anything
// is written (no absolute paths, no "..", nothing written through a link).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "runtime/code_files.h"

namespace clemmys::runtime {
namespace {

using Reader = std::unique_ptr<archive, decltype(&archive_read_free)>;
using Writer = std::unique_ptr<archive, decltype(&archive_write_free)>;

Status unpackFailed(const std::string& why) { return fail("runtime.unpack_failed", why); }

// A relative path without "." / ".." components, or empty when it is not one.
bool isSafeRelative(std::string_view p) {
  while (p.starts_with("./")) p.remove_prefix(2);
  if (p.empty() || p.starts_with('/')) return false;
  for (size_t at = 0; at <= p.size();) {
    size_t slash = p.find('/', at);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view part = p.substr(at, slash - at);
    if (part == "..") return false;
    at = slash + 1;
  }
  return true;
}

}  // namespace

Status extractArchive(std::string_view bytes, CodeFormat format, const std::string& dir) {
  if (format == CodeFormat::text || format == CodeFormat::elf) {
    return fail("runtime.not_archive", "code is neither a zip nor a tar archive");
  }
  Reader in(archive_read_new(), archive_read_free);
  Writer out(archive_write_disk_new(), archive_write_free);
  if (!in || !out) return unpackFailed("libarchive: out of memory");
  if (format == CodeFormat::zip) {
    archive_read_support_format_zip(in.get());
  } else {
    archive_read_support_format_tar(in.get());
    archive_read_support_filter_gzip(in.get());
  }
  // Entries are checked to be relative (isSafeRelative) and then placed under `dir` by
  // an absolute path, so libarchive's own refusal of absolute paths cannot be used.
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  if (archive_read_open_memory(in.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return unpackFailed(std::string(format == CodeFormat::zip ? "unzip" : "tar") + " failed: " +
                        archive_error_string(in.get()));
  }
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(in.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return unpackFailed(std::string("bad archive: ") + archive_error_string(in.get()));
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (!isSafeRelative(name)) return unpackFailed("archive entry " + name.substr(0, 200) + " leaves the directory");
    auto type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && hardlink == nullptr) {
      return unpackFailed("archive entry " + name.substr(0, 200) + " is not a file, directory or link");
    }
    archive_entry_set_pathname(entry, (dir + "/" + name).c_str());
    if (hardlink != nullptr) {
      if (!isSafeRelative(hardlink)) return unpackFailed("archive link " + name.substr(0, 200) + " leaves the directory");
      archive_entry_set_hardlink(entry, (dir + "/" + hardlink).c_str());
    }
    // Files become the runtime's own, never setuid/setgid.
    archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
    if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) {
      return unpackFailed("cannot extract " + name.substr(0, 200) + ": " + archive_error_string(out.get()));
    }
    if (archive_entry_size(entry) > 0 && type == AE_IFREG) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      while ((rc = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK) {
        if (archive_write_data_block(out.get(), block, size, offset) < ARCHIVE_WARN) {
          return unpackFailed("cannot write " + name.substr(0, 200) + ": " + archive_error_string(out.get()));
        }
      }
      if (rc != ARCHIVE_EOF) return unpackFailed(std::string("bad archive: ") + archive_error_string(in.get()));
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return unpackFailed("cannot finish " + name.substr(0, 200) + ": " + archive_error_string(out.get()));
    }
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) return unpackFailed(archive_error_string(out.get()));
  return {};
}

}  // namespace clemmys::runtime
