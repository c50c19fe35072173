// Daemon request handlers (daemon.h); the protocol is in
// doc/formats/simtee-protocol.md.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/encoding.h"
#include "common/log.h"
#include "simtee/daemon.h"
#include "simtee/launch_env.h"
#include "simtee/measurement.h"
#include "simtee/quote_builder.h"

namespace clemmys::simtee {
namespace json = boost::json;
namespace {

Result<std::vector<std::string>> stringArray(const json::object& o, const char* key, bool required) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return fail("simtee.bad_request", std::string("missing \"") + key + "\"");
    return out;
  }
  if (!v->is_array()) return fail("simtee.bad_request", std::string("\"") + key + "\" must be an array of strings");
  for (const auto& x : v->as_array()) {
    if (!x.is_string()) return fail("simtee.bad_request", std::string("\"") + key + "\" must be an array of strings");
    std::string s(x.as_string());
    if (s.find('\0') != std::string::npos) return fail("simtee.bad_request", "strings must not contain NUL");
    out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> intField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) return fail("simtee.bad_request", std::string("missing integer \"") + key + "\"");
  return v->as_int64();
}

Result<std::string> stringField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return fail("simtee.bad_request", std::string("missing string \"") + key + "\"");
  return std::string(v->as_string());
}

Result<tee::SandboxOptions> sandboxOptions(const json::object& req) {
  tee::SandboxOptions s;
  const json::value* v = req.if_contains("sandbox");
  if (v == nullptr) return s;
  if (!v->is_object()) return fail("simtee.bad_request", "\"sandbox\" must be an object");
  const json::object& o = v->as_object();
  for (auto [key, field] : {std::pair{"user_namespace", &s.userNamespace}, {"pid_namespace", &s.pidNamespace},
                            {"mount_namespace", &s.mountNamespace}, {"ipc_namespace", &s.ipcNamespace},
                            {"net_namespace", &s.netNamespace}, {"seccomp", &s.seccomp},
                            {"private_tmp", &s.privateTmp}}) {
    if (const json::value* b = o.if_contains(key)) {
      if (!b->is_bool()) return fail("simtee.bad_request", std::string("sandbox.") + key + " must be a boolean");
      *field = b->as_bool();
    }
  }
  for (auto [key, field] : {std::pair{"memory_limit_bytes", &s.memoryLimitBytes}, {"max_open_files", &s.maxOpenFiles}}) {
    if (const json::value* n = o.if_contains(key)) {
      if (n->is_uint64()) *field = n->as_uint64();
      else if (n->is_int64() && n->as_int64() >= 0) *field = static_cast<uint64_t>(n->as_int64());
      else return fail("simtee.bad_request", std::string("sandbox.") + key + " must be a non-negative integer");
    }
  }
  if (s.maxOpenFiles < 3 || s.maxOpenFiles > (1u << 20)) return fail("simtee.bad_request", "max_open_files out of range");
  return s;
}

}  // namespace

Status Daemon::onLaunch(const json::object& req, std::vector<int>& fds, const Peer& peer, json::object& out) {
  auto argv = stringArray(req, "argv", true);
  if (!argv) return std::unexpected(argv.error());
  if (argv->empty() || (*argv)[0].empty() || (*argv)[0][0] != '/') {
    return fail("simtee.bad_request", "argv[0] must be an absolute executable path");
  }
  auto requestedEnv = stringArray(req, "env", false);
  if (!requestedEnv) return std::unexpected(requestedEnv.error());
  auto sandbox = sandboxOptions(req);
  if (!sandbox) return std::unexpected(sandbox.error());
  std::string cwd;
  if (const json::value* c = req.if_contains("cwd"); c != nullptr && c->is_string()) cwd = std::string(c->as_string());
  std::vector<std::pair<int, int>> passed;
  if (const json::value* f = req.if_contains("fds"); f != nullptr) {
    if (!f->is_array() || f->as_array().size() != fds.size()) {
      return fail("simtee.bad_request", "\"fds\" must list one child fd per passed descriptor");
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      const json::value& t = f->as_array()[i];
      if (!t.is_int64() || t.as_int64() < 0 || t.as_int64() > 1023) return fail("simtee.bad_request", "bad child fd");
      passed.emplace_back(fds[i], static_cast<int>(t.as_int64()));
    }
  } else if (!fds.empty()) {
    return fail("simtee.bad_request", "descriptors passed without \"fds\"");
  }
  // A measured root (doc/formats/rootfs-manifest.md): checked against the host now,
  // its digest measured, its mounts planned for the child.
  std::optional<RootfsManifest> manifest;
  std::optional<PreparedRoot> root;
  if (const json::value* r = req.if_contains("rootfs"); r != nullptr) {
    if (!r->is_string()) return fail("simtee.bad_request", "\"rootfs\" must be a manifest path");
    if (!sandbox->userNamespace || !sandbox->pidNamespace || !sandbox->mountNamespace || !sandbox->privateTmp)
      return fail("simtee.bad_request", "a measured root needs user, pid and mount namespaces and a private tmpfs");
    auto loaded = rootfs_.load(std::string(r->as_string()));
    if (!loaded) return std::unexpected(loaded.error());
    manifest = std::move(*loaded);
  }
  std::string privateTmpDir;
  DaemonEnv daemonEnv{options_.socketPath, ""};
  if (manifest) {
    daemonEnv = {kRootSocketPath, "/tmp"};
  } else if (sandbox->privateTmp) {
    // The private tmpfs is mounted, inside the launch's own mount namespace, on an
    // empty directory of the daemon's; host paths under /tmp stay reachable.
    privateTmpDir = options_.stateDir + "/private-tmp";
    if (::mkdir(privateTmpDir.c_str(), 0755) != 0 && errno != EEXIST)
      return fail("simtee.launch_failed", "cannot create " + privateTmpDir);
    daemonEnv.tmpDir = privateTmpDir;
  }
  auto env = launchEnvironment(*requestedEnv, daemonEnv);
  if (!env) return std::unexpected(env.error());

  auto exe = executables_.get((*argv)[0]);
  if (!exe) return std::unexpected(exe.error());
  crypto::Sha256Digest measurement =
      finishMeasurement((*exe)->measuredPrefix, *argv, *sandbox, manifest ? &manifest->digest : nullptr);
  // A process with state directories keeps the daemon's uid: its state must stay its
  // own from one launch to the next.
  bool wantsSandboxUid = false;
  if (manifest) {
    auto plan = planRoot(*manifest, options_.socketPath);
    if (!plan) return std::unexpected(plan.error());
    std::string rootDir = options_.stateDir + "/launch-root";
    if (::mkdir(rootDir.c_str(), 0755) != 0 && errno != EEXIST)
      return fail("simtee.launch_failed", "cannot create " + rootDir);
    root = prepareRoot(*plan, rootDir);
    wantsSandboxUid = sandboxUids() && std::none_of(manifest->entries.begin(), manifest->entries.end(),
                                                    [](const RootfsEntry& e) { return e.type == RootfsEntry::Type::state; });
  }
  // Holding mu_ across the start keeps the reaper from racing the table insert.
  std::lock_guard lock(mu_);
  uid_t sandboxUid = static_cast<uid_t>(-1);
  if (wantsSandboxUid) {
    auto uid = takeSandboxUid();
    if (!uid) return std::unexpected(uid.error());
    sandboxUid = *uid;
  }
  SandboxedLaunch launch{(*exe)->fd, *argv, *env, cwd, *sandbox, passed, &seccomp_, privateTmpDir,
                         root ? &*root : nullptr, sandboxUid};
  auto started = launcher_.start(launch, namespaces_);
  if (!started) {
    usedUids_.erase(sandboxUid);
    return std::unexpected(started.error());
  }
  processes_[started->pid] = Process{measurement, peer.uid, true, 0, sandboxUid};
  std::string hex = toHex(std::span<const uint8_t>(measurement));
  uid_t hostUid = sandboxUid != static_cast<uid_t>(-1) ? sandboxUid : ::geteuid();
  log::info("simtee: launched pid " + std::to_string(started->pid) + " for uid " + std::to_string(peer.uid) +
            " as uid " + std::to_string(hostUid) + (manifest ? " in a measured root" : "") + " measurement " + hex);
  out["pid"] = started->pid;
  out["measurement"] = hex;
  out["uid"] = hostUid;
  return {};
}

Result<Daemon::Process*> Daemon::ownLaunch(const json::object& req, const Peer& peer) {
  auto pid = intField(req, "pid");
  if (!pid) return std::unexpected(pid.error());
  auto it = processes_.find(static_cast<pid_t>(*pid));
  // Unknown and foreign pids get the same answer: no probing of others' launches.
  if (it == processes_.end() || it->second.launcherUid != peer.uid) {
    return fail("simtee.not_your_process", "pid " + std::to_string(*pid) + " was not launched by this caller");
  }
  return &it->second;
}

Status Daemon::onSignal(const json::object& req, const Peer& peer, json::object&) {
  auto sig = intField(req, "signal");
  if (!sig) return std::unexpected(sig.error());
  if (*sig < 0 || *sig > 64) return fail("simtee.bad_request", "bad signal number");
  std::lock_guard lock(mu_);
  auto p = ownLaunch(req, peer);
  if (!p) return std::unexpected(p.error());
  if (!(*p)->running) return fail("simtee.process_exited", "process has exited");
  // Still our unreaped child, so the pid cannot have been reused.
  pid_t pid = static_cast<pid_t>(req.at("pid").as_int64());
  if (::kill(pid, static_cast<int>(*sig)) != 0) return fail("simtee.signal_failed", "kill failed");
  return {};
}

Status Daemon::onExitStatus(const json::object& req, const Peer& peer, json::object& out) {
  std::lock_guard lock(mu_);
  auto p = ownLaunch(req, peer);
  if (!p) return std::unexpected(p.error());
  out["running"] = (*p)->running;
  if (!(*p)->running) out["status"] = (*p)->waitStatus;
  return {};
}

Status Daemon::onQuote(const json::object& req, const Peer& peer, json::object& out) {
  auto measurement = launchedCaller(peer);
  if (!measurement) return std::unexpected(measurement.error());
  auto hex = stringField(req, "report_data");
  if (!hex) return std::unexpected(hex.error());
  auto raw = fromHex(*hex);
  if (!raw || raw->size() != 64) return fail("simtee.bad_request", "report_data must be 64 bytes of hex");
  tee::ReportData rd{};
  std::copy(raw->begin(), raw->end(), rd.begin());
  auto quote = buildQuote(*installation_, *measurement, rd);
  if (!quote) return std::unexpected(quote.error());
  out["quote"] = base64Encode(*quote);
  return {};
}

Status Daemon::onSealingKey(const json::object& req, const Peer& peer, json::object& out) {
  auto measurement = launchedCaller(peer);
  if (!measurement) return std::unexpected(measurement.error());
  auto label = stringField(req, "label");
  if (!label) return std::unexpected(label.error());
  auto key = deriveSealingKey(installation_->platformSecret, *measurement, *label);
  if (!key) return fail("simtee.sealing_failed", key.error().str());
  out["key"] = base64Encode(std::string_view(reinterpret_cast<const char*>(key->data()), key->size()));
  return {};
}

Status Daemon::onCounter(const json::object& req, const Peer& peer, bool increment, json::object& out) {
  auto measurement = launchedCaller(peer);
  if (!measurement) return std::unexpected(measurement.error());
  auto name = stringField(req, "name");
  if (!name) return std::unexpected(name.error());
  auto value = increment ? counters_->increment(*measurement, *name) : counters_->read(*measurement, *name);
  if (!value) return std::unexpected(value.error());
  out["value"] = *value;
  return {};
}

}  // namespace clemmys::simtee
