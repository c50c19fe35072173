// Resident memory of a process and all its descendants, read from /proc. Used by the
// pool's RSS watchdog to enforce an action's memory limit without RLIMIT_AS (see
// doc/invoker.md). Thread-safe (reads /proc only).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace clemmys::invoker {

// `pid` and its descendants (via /proc/<pid>/task/<tid>/children), pid first.
std::vector<pid_t> processTree(pid_t pid);

// Sum of resident set sizes (bytes) of the tree; nullopt if `pid` is gone.
std::optional<uint64_t> treeRssBytes(pid_t pid);

}  // namespace clemmys::invoker
