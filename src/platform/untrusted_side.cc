#include "platform/untrusted_side.h"

#include "platform/dev_policy.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "common/clock.h"
#include "common/random.h"
#include "platform/dev_policy.h"

namespace clemmys::platform {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view kReady = "clemmys-untrusted ready ";

json::array strings(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }

// Makes `dir` (and everything in it) owned by `uid`, creating it if needed.
Status chownTree(const std::string& dir, uid_t uid) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (::lchown(dir.c_str(), uid, uid) != 0) return fail("platform.untrusted_failed", "chown " + dir);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, uid) != 0) {
      return fail("platform.untrusted_failed", "chown " + it->path().string());
    }
  }
  if (ec) return fail("platform.untrusted_failed", "walk " + dir + ": " + ec.message());
  return {};
}

// Whether `uid` (with gid `uid` and no other groups) may pass through every directory
// on the way to `dir`.
Status reachableBy(const std::string& dir, uid_t uid) {
  fs::path p = fs::absolute(dir);
  for (fs::path at = p; ; at = at.parent_path()) {
    struct stat st{};
    if (::stat(at.c_str(), &st) == 0) {
      bool ok = (st.st_mode & S_IXOTH) || (st.st_uid == uid && (st.st_mode & S_IXUSR)) ||
                (st.st_gid == uid && (st.st_mode & S_IXGRP));
      if (!ok) {
        return fail("platform.untrusted_failed",
                    "the untrusted uid " + std::to_string(uid) + " cannot pass through " + at.string() +
                        ": make it traversable (chmod o+x) or choose another --data-dir");
      }
    }
    if (at == at.root_path() || at.empty()) break;
  }
  return {};
}

}  // namespace

std::string untrustedConfigJson(const UntrustedConfig& c) {
  json::object prewarm;
  for (const auto& [kind, n] : c.pool.prewarm) prewarm[kind] = n;
  json::object pool{{"runtime_binary", c.pool.runtimeBinary},
                    {"runtime_args", strings(c.pool.runtimeArgs)},
                    {"runtime_env", strings(c.pool.runtimeEnv)},
                    {"simtee_socket", c.pool.simteeSocket},
                    {"runtime_rootfs", c.pool.runtimeRootfs},
                    {"memory_budget_mb", c.pool.memoryBudgetMb},
                    {"max_result_bytes", c.pool.maxResultBytes},
                    {"prewarm", prewarm}};
  json::object controller{{"data_dir", c.controller.dataDir},
                          {"host", c.controller.host},
                          {"port", c.controller.port},
                          {"max_concurrent_per_namespace", c.controller.maxConcurrentPerNamespace},
                          {"max_body_bytes", c.controller.maxBodyBytes},
                          {"activation_ttl_ms", c.controller.activationTtl.count()}};
  return json::serialize(json::object{{"pool", pool}, {"controller", controller}});
}

Result<UntrustedConfig> parseUntrustedConfig(std::string_view text) {
  try {
    json::object o = json::parse(text).as_object();
    const json::object& p = o.at("pool").as_object();
    const json::object& c = o.at("controller").as_object();
    UntrustedConfig u;
    u.pool.runtimeBinary = json::value_to<std::string>(p.at("runtime_binary"));
    u.pool.runtimeArgs = json::value_to<std::vector<std::string>>(p.at("runtime_args"));
    u.pool.runtimeEnv = json::value_to<std::vector<std::string>>(p.at("runtime_env"));
    u.pool.simteeSocket = json::value_to<std::string>(p.at("simtee_socket"));
    u.pool.runtimeRootfs = json::value_to<std::string>(p.at("runtime_rootfs"));
    u.pool.memoryBudgetMb = p.at("memory_budget_mb").to_number<int64_t>();
    u.pool.maxResultBytes = p.at("max_result_bytes").to_number<size_t>();
    for (const auto& [kind, n] : p.at("prewarm").as_object()) u.pool.prewarm[std::string(kind)] = n.to_number<int>();
    u.controller.dataDir = json::value_to<std::string>(c.at("data_dir"));
    u.controller.host = json::value_to<std::string>(c.at("host"));
    u.controller.port = c.at("port").to_number<uint16_t>();
    u.controller.maxConcurrentPerNamespace = c.at("max_concurrent_per_namespace").to_number<int>();
    u.controller.maxBodyBytes = c.at("max_body_bytes").to_number<size_t>();
    if (auto ttl = c.if_contains("activation_ttl_ms")) {
      u.controller.activationTtl = std::chrono::milliseconds(ttl->to_number<int64_t>());
    }
    return u;
  } catch (const std::exception& e) {
    return fail("platform.bad_untrusted_config", e.what());
  }
}

Result<std::unique_ptr<UntrustedSide>> UntrustedSide::start(const std::string& clemmysBinary,
                                                            const UntrustedConfig& config,
                                                            std::optional<uid_t> runAs) {
  std::string uidText = std::to_string(runAs ? *runAs : ::geteuid());
  if (runAs) {
    if (auto s = reachableBy(config.controller.dataDir, *runAs); !s) return std::unexpected(s.error());
    if (auto s = chownTree(config.controller.dataDir + "/controller", *runAs); !s) return std::unexpected(s.error());
  }
  // Opened here, run from the descriptor: the untrusted uid need not reach our build or
  // install directory, only execute the file.
  int exe = ::open(clemmysBinary.c_str(), O_RDONLY | O_CLOEXEC);
  if (exe < 0) return fail("platform.untrusted_failed", "cannot open " + clemmysBinary);
  SpawnOptions o;
  o.executableFd = exe;
  o.argv = {clemmysBinary, "untrusted"};
  o.pipeStdin = true;
  o.pipeStdout = true;
  o.uid = runAs;
  o.gid = runAs ? std::optional<gid_t>(static_cast<gid_t>(*runAs)) : std::nullopt;
  o.cwd = "/";
  auto child = spawn(o);
  ::close(exe);
  if (!child) {
    return fail("platform.untrusted_failed", "cannot run " + clemmysBinary + " as uid " + uidText + ": " +
                                                 child.error().str() +
                                                 " (the binary and the data directory must be reachable by it)");
  }
  std::unique_ptr<UntrustedSide> side(new UntrustedSide());
  side->child_ = std::move(*child);
  std::string text = untrustedConfigJson(config);
  if (::write(side->child_.stdinFd(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return fail("platform.untrusted_failed", "cannot hand the configuration to the untrusted process");
  }
  side->child_.closeStdin();
  // One line, within 30 s; anything else means it did not come up.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{side->child_.stdoutFd(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(side->child_.stdoutFd(), buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  if (!line.starts_with(kReady) || line.find('\n') == std::string::npos) {
    return fail("platform.not_ready", "the untrusted process (uid " + uidText + ") did not come up");
  }
  std::istringstream fields(line.substr(kReady.size()));
  int port = 0;
  fields >> port >> side->auth_;
  if (port <= 0 || port > 65535 || side->auth_.empty()) return fail("platform.not_ready", "bad ready line");
  side->port_ = static_cast<uint16_t>(port);
  return side;
}

void UntrustedSide::stop() {
  if (child_.pid() <= 0 || !child_.running()) return;
  child_.terminate(std::chrono::milliseconds(20000));
}

int untrustedCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::string configFile, authFile;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      configFile = argv[++i];
    } else if (a == "--auth-file" && i + 1 < argc) {
      authFile = argv[++i];
    } else {
      err << "usage: clemmys untrusted [--config FILE] [--auth-file FILE]   (default: the config on stdin)\n";
      return 2;
    }
  }
  std::string text;
  if (configFile.empty()) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (auto t = readTextFile(configFile)) {
    text = *t;
  } else {
    err << "clemmys untrusted: " << t.error().str() << std::endl;
    return 1;
  }
  auto config = parseUntrustedConfig(text);
  if (!config) {
    err << "clemmys untrusted: " << config.error().str() << std::endl;
    return 1;
  }
  // The stop signals are taken by sigwait only (blocked before any thread starts).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  SystemClock clock;
  SystemRandom random;
  auto pool = invoker::Pool::start(config->pool, clock);
  if (!pool) {
    err << "clemmys untrusted: " << pool.error().str() << std::endl;
    return 1;
  }
  auto controller = controller::Controller::start(config->controller, **pool, clock, random);
  if (!controller) {
    err << "clemmys untrusted: " << controller.error().str() << std::endl;
    return 1;
  }
  // For a gateway started on its own (doc/formats/service-config.md, env_from_files).
  if (!authFile.empty()) {
    if (auto s = writePrivateFile(authFile, (*controller)->auth() + "\n"); !s) {
      err << "clemmys untrusted: " << s.error().str() << std::endl;
      (*controller)->stop();
      (*pool)->stop();
      return 1;
    }
  }
  out << kReady << (*controller)->port() << " " << (*controller)->auth() << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  (*controller)->stop();
  (*pool)->stop();  // kills and reaps every runtime through the simtee
  return 0;
}

}  // namespace clemmys::platform
