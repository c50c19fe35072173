#include "platform/runtime_rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "platform/dev_policy.h"
#include "common/subprocess.h"

namespace clemmys::platform {
namespace fs = std::filesystem;
namespace {

// The first executable `name` in the PATH-style `dirs`, with every link resolved.
std::string findResolved(const std::string& name, const std::string& dirs) {
  for (size_t at = 0; at <= dirs.size();) {
    size_t colon = dirs.find(':', at);
    if (colon == std::string::npos) colon = dirs.size();
    std::string dir = dirs.substr(at, colon - at);
    at = colon + 1;
    if (dir.empty() || dir[0] != '/') continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    std::error_code ec;
    std::string real = fs::canonical(candidate, ec).string();
    if (!ec && fs::is_regular_file(real, ec)) return real;
  }
  return {};
}

// Runs `clemmys-simtee manifest ...` and writes its output to `path` (0644: the
// simtee, any uid, reads it; it holds only paths and digests).
Status writeManifest(const std::vector<std::string>& argv, const std::string& path) {
  auto text = captureOutput(argv, 120000, "platform.rootfs_failed");
  if (!text) return std::unexpected(text.error());
  if (auto s = writePrivateFile(path, *text); !s) {
    return fail("platform.rootfs_failed", "cannot write " + path + ": " + s.error().str());
  }
  ::chmod(path.c_str(), 0644);
  return {};
}

}  // namespace

std::vector<std::string> RuntimeRootfs::args() const {
  std::vector<std::string> out;
  if (!python.empty()) out.insert(out.end(), {"--python", python});
  if (!node.empty()) out.insert(out.end(), {"--node", node});
  return out;
}

Result<std::string> captureOutput(const std::vector<std::string>& argv, int timeoutMs, const std::string& errorName) {
  SpawnOptions o;
  o.argv = argv;
  o.pipeStdout = true;
  auto child = spawn(o);
  if (!child) return fail(errorName, argv.at(0) + ": " + child.error().str());
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(child->stdoutFd(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  auto status = child->wait(std::chrono::milliseconds(timeoutMs));
  if (!status || *status != 0) {
    return fail(errorName, argv.at(0) + " " + (argv.size() > 1 ? argv[1] : "") + " failed (status " +
                               (status ? std::to_string(*status) : std::string("timed out")) + ")");
  }
  return out;
}

Result<RuntimeRootfs> writeRuntimeRootfs(const std::string& simteeBinary, const std::string& runtimeBinary,
                                         const std::string& launcherDir, const std::string& kmsCertPath,
                                         const std::string& searchPath, const std::string& dataDir) {
  RuntimeRootfs r;
  r.manifestPath = dataDir + "/runtime-rootfs.manifest";
  r.python = findResolved("python3", searchPath);
  r.node = findResolved("node", searchPath);
  std::vector<std::string> argv = {simteeBinary, "manifest", "--libraries-of", runtimeBinary, launcherDir,
                                   kmsCertPath, "/bin/sh", "/bin/bash", "/etc/ld.so.cache"};
  if (!r.python.empty()) {
    // python3.X finds its standard library at <prefix>/lib/python3.X.
    fs::path exe(r.python);
    fs::path stdlib = exe.parent_path().parent_path() / "lib" / exe.filename();
    argv.push_back(r.python);
    std::error_code ec;
    if (fs::is_directory(stdlib, ec)) argv.push_back(stdlib.string());
  }
  if (!r.node.empty()) argv.push_back(r.node);
  if (auto s = writeManifest(argv, r.manifestPath); !s) return std::unexpected(s.error());
  return r;
}

Status writeServiceRootfs(const std::string& simteeBinary, const std::string& binary,
                          const std::vector<std::string>& files, const std::vector<std::string>& stateDirs,
                          const std::string& manifestPath) {
  std::vector<std::string> argv = {simteeBinary, "manifest", "--libraries-of", binary};
  for (const auto& d : stateDirs) argv.insert(argv.end(), {"--state", d});
  argv.insert(argv.end(), files.begin(), files.end());
  return writeManifest(argv, manifestPath);
}

}  // namespace clemmys::platform
