// Memory of a process and all its descendants, read from /proc. Used by the pool's
// watchdog to enforce an action's memory limit without RLIMIT_AS (see doc/invoker.md).
// Thread-safe (reads /proc only).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace clemmys::invoker {

// `pid` and its descendants (via /proc/<pid>/task/<tid>/children), pid first.
std::vector<pid_t> processTree(pid_t pid);

// What the tree really uses, in bytes: the sum of each process's proportional set
// size (Pss in /proc/<pid>/smaps_rollup: a page shared by n processes counts 1/n per
// process, so shared libraries and the interpreter's text count once, not once per
// process). A process whose smaps_rollup cannot be read counts its resident set
// (statm). nullopt if `pid` is gone.
std::optional<uint64_t> treeMemoryBytes(pid_t pid);

}  // namespace clemmys::invoker
