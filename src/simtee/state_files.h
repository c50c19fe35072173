// Durable files in the simtee state directory: every write goes to a temp
// file (mode 0600), is fsynced, renamed over the target, and the directory is
// fsynced, so a crash leaves either the old or the new content. Stateless.
// Errors: simtee.state_io.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::simtee {

Status writeFileAtomic(const std::string& path, std::string_view data);
Result<std::string> readFile(const std::string& path);
bool fileExists(const std::string& path);
// Creates `dir` (0700) if missing; refuses a directory others can read or write.
Status ensurePrivateDirectory(const std::string& dir);

}  // namespace clemmys::simtee
