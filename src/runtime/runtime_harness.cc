#include "runtime/runtime_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/action_proxy.h"

extern char** environ;

namespace clemmys::runtime::testing {

size_t countSentinels(const std::string& text) {
  std::string line = std::string(kSentinel) + "\n";
  size_t n = 0;
  for (size_t pos = text.find(line); pos != std::string::npos; pos = text.find(line, pos + 1)) {
    if (pos == 0 || text[pos - 1] == '\n') ++n;
  }
  return n;
}

std::string readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::unique_ptr<RuntimeProcess>> RuntimeProcess::start(const std::string& binary,
                                                              std::vector<std::string> args,
                                                              EnvVars extraEnv) {
  int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("test.socket", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(sock, 64) != 0 ||
      ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(sock);
    return fail("test.socket", std::strerror(e));
  }
  uint16_t port = ntohs(addr.sin_port);

  SpawnOptions options;
  options.argv = {binary, "--listen-fd", "3"};
  for (auto& a : args) options.argv.push_back(std::move(a));
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& [k, v] : extraEnv) env.push_back(k + "=" + v);
  options.env = std::move(env);
  options.pipeStdout = true;
  options.pipeStderr = true;
  options.passFds = {{sock, 3}};
  auto child = spawn(options);
  ::close(sock);
  if (!child) return std::unexpected(child.error());

  std::unique_ptr<RuntimeProcess> p(new RuntimeProcess());
  p->child_ = std::move(*child);
  p->port_ = port;
  p->client_ = std::make_unique<http::Client>("127.0.0.1", port);
  p->outReader_ = std::thread([raw = p.get(), fd = p->child_.stdoutFd()] { raw->pump(fd, &raw->out_); });
  p->errReader_ = std::thread([raw = p.get(), fd = p->child_.stderrFd()] { raw->pump(fd, &raw->err_); });
  return p;
}

RuntimeProcess::~RuntimeProcess() {
  client_.reset();
  child_.terminate(std::chrono::milliseconds(3000));
  if (outReader_.joinable()) outReader_.join();
  if (errReader_.joinable()) errReader_.join();
}

std::optional<int> RuntimeProcess::stop(std::chrono::milliseconds timeout) {
  client_->close();
  ::kill(child_.pid(), SIGTERM);
  return child_.wait(timeout);
}

void RuntimeProcess::pump(int fd, std::string* into) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::lock_guard lock(mu_);
    into->append(buf, static_cast<size_t>(n));
    changed_.notify_all();
  }
}

Result<http::Response> RuntimeProcess::post(const std::string& path, const std::string& body) {
  return client_->request("POST", path, body, {{"Content-Type", "application/json"}},
                          std::chrono::seconds(30));
}

std::string RuntimeProcess::out() {
  std::lock_guard lock(mu_);
  return out_;
}

std::string RuntimeProcess::err() {
  std::lock_guard lock(mu_);
  return err_;
}

std::pair<size_t, size_t> RuntimeProcess::sentinels() {
  std::lock_guard lock(mu_);
  return {countSentinels(out_), countSentinels(err_)};
}

bool RuntimeProcess::waitForSentinels(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    return countSentinels(out_) >= n && countSentinels(err_) >= n;
  });
}

}  // namespace clemmys::runtime::testing
