#include "simtee/daemon.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstring>

#include "common/encoding.h"
#include "common/log.h"
#include "simtee/quote_builder.h"
#include "simtee/seccomp_filter.h"
#include "tee/simtee_wire.h"

namespace clemmys::simtee {
namespace json = boost::json;

Result<std::unique_ptr<Daemon>> Daemon::create(const DaemonOptions& options, const Clock& clock) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->options_ = options;
  auto inst = loadOrCreateInstallation(options.stateDir, clock);
  if (!inst) return std::unexpected(inst.error());
  d->installation_.emplace(std::move(*inst));
  auto counters = CounterStore::open(options.stateDir + "/counters.json");
  if (!counters) return std::unexpected(counters.error());
  d->counters_ = std::move(*counters);
  auto program = buildSeccompProgram();
  if (!program) return std::unexpected(program.error());
  d->seccomp_ = std::move(*program);
  d->namespaces_ = probeNamespaces();

  // Bind and listen under a temporary name, then rename: the socket appears
  // at its path only once it accepts connections, so a client that waits for
  // the file never meets a bound-but-not-listening socket (ECONNREFUSED).
  sockaddr_un addr{};
  const std::string staging = options.socketPath + ".new" + std::to_string(::getpid());
  if (options.socketPath.empty() || staging.size() >= sizeof(addr.sun_path)) {
    return fail("simtee.bad_socket", "socket path empty or too long");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, staging.data(), staging.size());
  ::unlink(staging.c_str());
  d->listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (d->listenFd_ < 0 || ::bind(d->listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(d->listenFd_, 64) != 0 || ::chmod(staging.c_str(), 0666) != 0 ||
      ::rename(staging.c_str(), options.socketPath.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(staging.c_str());
    return fail("simtee.bad_socket", "listen on " + options.socketPath + ": " + why);
  }
  // SIGCHLD is consumed by the reaper thread only (sigtimedwait); every thread
  // created from here on inherits the blocked mask.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, nullptr);
  d->reaper_ = std::thread([raw = d.get()] { raw->reapLoop(); });
  return d;
}

Daemon::~Daemon() {
  stop();
  if (reaper_.joinable()) reaper_.join();
  std::lock_guard lock(mu_);
  for (auto& [pid, p] : processes_) {
    if (p.running) ::kill(pid, SIGKILL);
  }
}

void Daemon::stop() {
  if (stopping_.exchange(true)) return;
  if (listenFd_ >= 0) ::shutdown(listenFd_, SHUT_RDWR);
  ::unlink(options_.socketPath.c_str());
}

void Daemon::run() {
  while (!stopping_) {
    pollfd p{listenFd_, POLLIN, 0};
    int rc = ::poll(&p, 1, 200);
    if (rc <= 0) continue;
    int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::thread([this, fd] { serveConnection(fd); }).detach();
  }
}

void Daemon::serveConnection(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    ::close(fd);
    return;
  }
  timeval timeout{30, 0};  // a stalled peer must not pin a thread forever
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  Peer peer{cred.pid, cred.uid};
  for (;;) {
    auto frame = tee::receiveFrame(fd);
    if (!frame) break;
    std::string response = handle(frame->json, frame->fds, peer);
    for (int f : frame->fds) ::close(f);
    if (!tee::sendFrame(fd, response)) break;
  }
  ::close(fd);
}

void Daemon::reapLoop() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  timespec tick{0, 200'000'000};
  while (!stopping_) {
    ::sigtimedwait(&chld, nullptr, &tick);
    std::lock_guard lock(mu_);
    for (auto& [pid, p] : processes_) {
      if (!p.running) continue;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) markExited(p, status);
    }
  }
}

void Daemon::markExited(Process& p, int status) {
  p.running = false;
  p.waitStatus = status;
  if (p.sandboxUid != static_cast<uid_t>(-1)) usedUids_.erase(p.sandboxUid);
  p.sandboxUid = static_cast<uid_t>(-1);
}

Result<uid_t> Daemon::takeSandboxUid() {
  for (uint32_t i = 0; i < options_.sandboxUidCount; ++i) {
    uid_t uid = options_.sandboxUidFirst + i;
    if (usedUids_.insert(uid).second) return uid;
  }
  return fail("simtee.no_sandbox_uid", "every sandbox uid is taken by a live launch");
}

Result<crypto::Sha256Digest> Daemon::launchedCaller(const Peer& peer) {
  std::lock_guard lock(mu_);
  auto it = processes_.find(peer.pid);
  if (it == processes_.end() || !it->second.running) {
    return fail("simtee.caller_not_launched", "pid " + std::to_string(peer.pid) + " was not launched by this simtee");
  }
  // A zombie (exited, not yet reaped) is not a live caller either.
  int status = 0;
  if (::waitpid(peer.pid, &status, WNOHANG) == peer.pid) {
    markExited(it->second, status);
    return fail("simtee.caller_not_launched", "pid " + std::to_string(peer.pid) + " has exited");
  }
  return it->second.measurement;
}

std::string Daemon::handle(const std::string& request, std::vector<int>& fds, const Peer& peer) {
  json::object out;
  Status st;
  json::error_code ec;
  json::value v = json::parse(request, ec);
  if (ec || !v.is_object()) {
    st = fail("simtee.bad_request", "request is not a JSON object");
  } else {
    const json::object& req = v.as_object();
    const json::value* op = req.if_contains("op");
    std::string name = op != nullptr && op->is_string() ? std::string(op->as_string()) : "";
    if (name == "launch") st = onLaunch(req, fds, peer, out);
    else if (name == "signal") st = onSignal(req, peer, out);
    else if (name == "exit_status") st = onExitStatus(req, peer, out);
    else if (name == "quote") st = onQuote(req, peer, out);
    else if (name == "sealing_key") st = onSealingKey(req, peer, out);
    else if (name == "counter_read") st = onCounter(req, peer, false, out);
    else if (name == "counter_increment") st = onCounter(req, peer, true, out);
    else if (name == "root_certificate") out["pem"] = installation_->rootPem;
    else if (name == "self") {
      auto m = launchedCaller(peer);
      if (m) {
        out["measurement"] = toHex(std::span<const uint8_t>(*m));
        out["mrsigner"] = toHex(std::span<const uint8_t>(simMrSigner()));
      } else {
        st = std::unexpected(m.error());
      }
    } else {
      st = fail("simtee.bad_request", "unknown op \"" + name + "\"");
    }
  }
  if (!st) {
    log::info("simtee: refused pid " + std::to_string(peer.pid) + ": " + st.error().str());
    return json::serialize(json::object{{"ok", false},
                                        {"error", {{"name", st.error().name}, {"message", st.error().message}}}});
  }
  out["ok"] = true;
  return json::serialize(out);
}

}  // namespace clemmys::simtee
