// Test support: finds a process's children by reading /proc (which launcher a runtime
// has running, and whether it is gone). Linux only; header-only for any test binary.
// Thread safety: pure (reads /proc).
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace clemmys::runtime::testing {

// A /proc file's bytes; "" when it cannot be read (the process may vanish mid-read).
inline std::string procFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return n < 0 ? std::string() : data;
}

// The command line of `pid`, arguments joined by spaces ("" when gone).
inline std::string commandLine(pid_t pid) {
  std::string cmd = procFile("/proc/" + std::to_string(pid) + "/cmdline");
  for (auto& c : cmd) c = c == '\0' ? ' ' : c;
  return cmd;
}

// Children of `parent` whose command line (arguments joined by spaces) contains
// `needle`, e.g. "--prestart".
inline std::vector<pid_t> childrenMatching(pid_t parent, const std::string& needle) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = procFile(entry.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));  // "<state> <ppid> ..."
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent || state == "Z") continue;
    if (commandLine(static_cast<pid_t>(std::stoi(name))).find(needle) != std::string::npos) found.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return found;
}

// Whether `pid` names a live (not zombie) process.
inline bool processAlive(pid_t pid) {
  std::string stat = procFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

}  // namespace clemmys::runtime::testing
