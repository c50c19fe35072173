#include "invoker/process_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace clemmys::invoker {
namespace {

// Reads a small /proc file into buf; returns the length or -1.
ssize_t readSmall(const std::string& path, char* buf, size_t cap) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = ::read(fd, buf, cap - 1);
  ::close(fd);
  if (n >= 0) buf[n] = '\0';
  return n;
}

void childrenOf(pid_t pid, std::vector<pid_t>& out, int depth) {
  if (depth > 16) return;  // guards against pathological trees
  std::string taskDir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(taskDir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char buf[4096];
    if (readSmall(taskDir + "/" + e->d_name + "/children", buf, sizeof buf) <= 0) continue;
    char* p = buf;
    while (*p) {
      char* end;
      long child = std::strtol(p, &end, 10);
      if (end == p) break;
      out.push_back(static_cast<pid_t>(child));
      childrenOf(static_cast<pid_t>(child), out, depth + 1);
      p = end;
    }
  }
  closedir(d);
}

}  // namespace

std::vector<pid_t> processTree(pid_t pid) {
  std::vector<pid_t> out{pid};
  childrenOf(pid, out, 0);
  return out;
}

std::optional<uint64_t> treeMemoryBytes(pid_t pid) {
  static const uint64_t pageSize = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t total = 0;
  bool first = true;
  for (pid_t p : processTree(pid)) {
    char buf[4096];
    std::string dir = "/proc/" + std::to_string(p);
    if (readSmall(dir + "/smaps_rollup", buf, sizeof buf) > 0) {
      if (const char* pss = std::strstr(buf, "\nPss:")) {
        first = false;
        total += std::strtoull(pss + 5, nullptr, 10) * 1024;  // kB
        continue;
      }
    }
    if (readSmall(dir + "/statm", buf, sizeof buf) <= 0) {
      if (first) return std::nullopt;
      continue;
    }
    first = false;
    unsigned long size = 0, resident = 0;
    if (std::sscanf(buf, "%lu %lu", &size, &resident) == 2) total += resident * pageSize;
  }
  return total;
}

}  // namespace clemmys::invoker
