#include "platform/trusted_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "common/subprocess.h"
#include "platform/runtime_rootfs.h"

namespace clemmys::platform {

Result<std::string> measureLaunch(const std::string& simteeBinary, const std::vector<std::string>& argv,
                                  const std::string& rootfs) {
  std::vector<std::string> cmd = {simteeBinary, "measure"};
  if (!rootfs.empty()) cmd.insert(cmd.end(), {"--rootfs", rootfs});
  cmd.push_back("--");
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  auto out = captureOutput(cmd, 60000, "platform.measure_failed");
  if (!out) return std::unexpected(out.error());
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
  if (out->size() != 64) return fail("platform.measure_failed", "clemmys-simtee measure failed for " + argv.at(0));
  return *out;
}

Result<std::pair<int, uint16_t>> listenLoopback(uint16_t preferred) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    uint16_t want = attempt == 0 ? preferred : 0;
    if (attempt == 0 && preferred == 0) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("platform.socket_failed", std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(want);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 512) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      return std::pair<int, uint16_t>{fd, ntohs(addr.sin_port)};
    }
    ::close(fd);
  }
  return fail("platform.socket_failed", "cannot listen on 127.0.0.1");
}

Result<std::unique_ptr<TrustedProcess>> TrustedProcess::launch(const std::string& simteeSocket,
                                                               std::vector<std::string> argv,
                                                               std::vector<std::string> env,
                                                               int listenFd, std::string name,
                                                               std::string rootfs) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail("platform.pipe_failed", std::strerror(errno));
  tee::LaunchRequest req;
  req.argv = std::move(argv);
  req.env = std::move(env);
  req.rootfs = std::move(rootfs);
  req.fds = {{out[1], 1}, {2, 2}};
  if (listenFd >= 0) req.fds.push_back({listenFd, 3});
  std::unique_ptr<TrustedProcess> p(new TrustedProcess(simteeSocket, std::move(name)));
  auto launched = p->client_.launch(req);
  ::close(out[1]);
  if (!launched) {
    ::close(out[0]);
    return std::unexpected(launched.error());
  }
  p->pid_ = launched->pid;
  p->measurement_ = launched->measurementHex;
  int fd = out[0];
  TrustedProcess* self = p.get();
  p->reader_ = std::thread([self, fd] { self->readLoop(fd); });
  return p;
}

TrustedProcess::~TrustedProcess() { stop(); }

void TrustedProcess::readLoop(int fd) {
  std::string partial;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::string line = partial.substr(0, nl);
      partial.erase(0, nl + 1);
      std::lock_guard lock(mu_);
      lines_.push_back(line);
      if (lines_.size() > 64) lines_.erase(lines_.begin());
      cv_.notify_all();
    }
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  eof_ = true;
  cv_.notify_all();
}

Result<std::string> TrustedProcess::waitForLine(const std::string& prefix,
                                                std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto& l : lines_) {
      if (l.rfind(prefix, 0) == 0) return l;
    }
    if (eof_ || cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      for (auto& l : lines_) {
        if (l.rfind(prefix, 0) == 0) return l;
      }
      std::string last = lines_.empty() ? "(no output)" : lines_.back();
      return fail("platform.not_ready", name_ + (eof_ ? " exited" : " not ready in time") +
                                            "; last output: " + last);
    }
  }
}

void TrustedProcess::stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  if (pid_ > 0) {
    (void)client_.signal(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      auto st = client_.exitStatus(pid_);
      if (!st || st->has_value()) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) {
      (void)client_.signal(pid_, SIGKILL);
      for (int i = 0; i < 250; ++i) {
        auto st = client_.exitStatus(pid_);
        if (!st || st->has_value()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  if (reader_.joinable()) reader_.join();
}

}  // namespace clemmys::platform
