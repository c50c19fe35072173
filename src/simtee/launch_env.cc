#include "simtee/launch_env.h"

#include <algorithm>
#include <string_view>

namespace clemmys::simtee {
namespace {

// A locale name without '/', so glibc cannot be pointed at a file.
bool isLocaleName(std::string_view v) {
  return !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '@' || c == '-';
         });
}

bool printable(std::string_view v) {
  return v.size() <= 4096 && std::all_of(v.begin(), v.end(), [](char c) {
           return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
         });
}

// Whether NAME=value may reach a trusted process (the table in doc/simtee.md).
bool allowed(std::string_view name, std::string_view value) {
  if (name == "LANG" || name == "LC_ALL") return isLocaleName(value);
  if (name == "__OW_API_HOST" || name == "CLEMMYS_CONTROLLER_AUTH") return printable(value);
  return false;
}

}  // namespace

Result<std::vector<std::string>> launchEnvironment(const std::vector<std::string>& requested,
                                                   const DaemonEnv& daemon) {
  std::vector<std::string> out;
  for (const auto& entry : requested) {
    size_t eq = entry.find('=');
    std::string_view name = std::string_view(entry).substr(0, eq);
    if (eq == std::string::npos || eq == 0) return fail("simtee.env_refused", "an env entry is not NAME=value");
    if (!allowed(name, std::string_view(entry).substr(eq + 1))) {
      return fail("simtee.env_refused", "environment variable " + std::string(name.substr(0, 64)) +
                                            " may not reach a trusted process");
    }
    bool twice = std::any_of(out.begin(), out.end(), [&](const std::string& e) {
      return e.compare(0, eq + 1, entry, 0, eq + 1) == 0;
    });
    if (twice) return fail("simtee.env_refused", "environment variable " + std::string(name) + " set twice");
    out.push_back(entry);
  }
  out.push_back("CLEMMYS_SIMTEE_SOCKET=" + daemon.socketPath);
  if (!daemon.tmpDir.empty()) {
    out.push_back("TMPDIR=" + daemon.tmpDir);
    out.push_back("CLEMMYS_PRIVATE_TMP=" + daemon.tmpDir);
  }
  return out;
}

}  // namespace clemmys::simtee
