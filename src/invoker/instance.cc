#include "invoker/instance.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstring>

#include "invoker/classify.h"

namespace clemmys::invoker {
namespace json = boost::json;

namespace {

constexpr size_t kMaxLineBytes = 1 << 20;  // longer output is split into several lines
constexpr int kPipeBytes = 1 << 20;        // asked-for pipe capacity

// A TCP socket bound to 127.0.0.1:0 and listening; returns fd and port.
Result<std::pair<int, uint16_t>> listenLoopback() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("invoker.socket_failed", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(fd);
    return fail("invoker.socket_failed", std::strerror(e));
  }
  return std::pair<int, uint16_t>{fd, ntohs(addr.sin_port)};
}

CallResult callResultOf(Result<http::Response> r) {
  CallResult out;
  if (r) {
    out.kind = CallResult::Kind::response;
    out.status = r->status;
    out.body = std::move(r->body);
  } else {
    out.kind = r.error().name == "http.timeout" ? CallResult::Kind::timeout : CallResult::Kind::lost;
    out.body = r.error().str();
  }
  return out;
}

std::string actionName(const std::string& fqn) {
  auto slash = fqn.rfind('/');
  return slash == std::string::npos ? fqn : fqn.substr(slash + 1);
}

}  // namespace

std::string initBody(const RunRequest& r) {
  const ActionCode& a = r.action;
  json::object env = a.initEnv;
  env["__OW_NAMESPACE"] = a.ns;
  env["__OW_ACTION_NAME"] = a.fqn;
  env["__OW_ACTION_VERSION"] = a.version;
  env["__OW_ACTIVATION_ID"] = r.activationId;
  env["__OW_TRANSACTION_ID"] = r.transactionId;
  env["__OW_DEADLINE"] = std::to_string(r.deadlineMs);
  if (r.apiKey) env["__OW_API_KEY"] = *r.apiKey;
  json::object value;
  value["name"] = actionName(a.fqn);
  value["main"] = a.main.empty() ? "main" : a.main;
  value["code"] = a.code;
  value["binary"] = a.binary;
  value["env"] = std::move(env);
  value["kind"] = a.kind;
  if (!a.heap.empty()) value["heap"] = a.heap;
  json::object body;
  body["value"] = std::move(value);
  return json::serialize(body);
}

std::string runBody(const RunRequest& r) {
  json::object body;
  body["value"] = r.params.is_null() ? json::value(json::object()) : r.params;
  body["namespace"] = r.action.ns;
  body["action_name"] = r.action.fqn;
  body["action_version"] = r.action.version;
  body["activation_id"] = r.activationId;
  body["transaction_id"] = r.transactionId;
  body["deadline"] = std::to_string(r.deadlineMs);
  if (r.apiKey) body["api_key"] = *r.apiKey;
  return json::serialize(body);
}

Result<std::unique_ptr<Instance>> Instance::launch(const LaunchOptions& o) {
  auto backend = o.simteeSocket.empty() ? makeDirectBackend() : makeSimteeBackend(o.simteeSocket, o.rootfs);
  return launch(o, *backend);
}

Result<std::unique_ptr<Instance>> Instance::launch(const LaunchOptions& o, LaunchBackend& backend) {
  auto sock = listenLoopback();
  if (!sock) return std::unexpected(sock.error());
  auto [listenFd, port] = *sock;

  std::vector<std::string> argv{o.runtimeBinary, "--listen-fd", "3"};
  for (auto& a : o.runtimeArgs) argv.push_back(a);
  auto started = backend.start(argv, o.env, listenFd);
  ::close(listenFd);  // the child holds its own copy
  if (!started) return std::unexpected(started.error());

  std::unique_ptr<Instance> inst(new Instance());
  inst->process_ = std::move(started->process);
  inst->pid_ = inst->process_->pid();
  inst->port_ = port;
  inst->client_ = std::make_unique<http::Client>("127.0.0.1", port);
  inst->pipes_[0] = started->stdoutFd;
  inst->pipes_[1] = started->stderrFd;
  for (int fd : inst->pipes_) {
    if (fd < 0) continue;
    (void)::fcntl(fd, F_SETPIPE_SZ, kPipeBytes);  // best effort: room between activations
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  for (int s = 0; s < 2; ++s) {
    if (inst->pipes_[s] < 0) inst->logs_.endOfStream(static_cast<LogStream>(s));
  }
  inst->client_->setWaitHook(inst.get());
  return inst;
}

Instance::~Instance() {
  kill();
  if (process_) process_->reap();  // the pid stays valid for kill() until here
  for (int fd : pipes_) {
    if (fd >= 0) ::close(fd);
  }
}

void Instance::kill() {
  if (pid_ <= 0 || killed_.exchange(true)) return;
  process_->kill();
}

CallResult Instance::post(std::string_view target, const std::string& body,
                          std::chrono::milliseconds timeout) {
  static const http::Headers kHeaders = {{"Content-Type", "application/json"}};
  CallResult out = callResultOf(client_->request("POST", target, body, kHeaders, timeout));
  if (out.kind != CallResult::Kind::response) client_->close();  // a fresh connection next time
  return out;
}

CallResult Instance::init(const RunRequest& request, std::chrono::milliseconds timeout) {
  return post("/init", initBody(request), timeout);
}

CallResult Instance::run(const RunRequest& request, std::chrono::milliseconds timeout) {
  return post("/run", runBody(request), timeout);
}

CallResult Instance::prestart(const std::string& kind, std::chrono::milliseconds timeout) {
  http::Client client("127.0.0.1", port_);
  return callResultOf(client.request("POST", "/prestart", json::serialize(json::object{{"kind", kind}}),
                                     {{"Content-Type", "application/json"}}, timeout));
}

size_t Instance::fds(int (&out)[http::WaitHook::kMaxFds]) {
  out[0] = pipes_[0];
  out[1] = pipes_[1];
  return 2;
}

void Instance::drain() {
  char buf[65536];
  for (int s = 0; s < 2; ++s) {
    auto stream = static_cast<LogStream>(s);
    std::string& partial = partial_[s];
    while (pipes_[s] >= 0) {
      ssize_t got = ::read(pipes_[s], buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && errno == EAGAIN) break;
      if (got <= 0) {  // EOF (or a broken pipe): the process is gone
        if (!partial.empty()) logs_.append(stream, partial);
        partial.clear();
        ::close(pipes_[s]);
        pipes_[s] = -1;
        logs_.endOfStream(stream);
        break;
      }
      std::string_view data(buf, static_cast<size_t>(got));
      while (!data.empty()) {
        auto nl = data.find('\n');
        if (nl == std::string_view::npos) {
          partial.append(data);
          if (partial.size() >= kMaxLineBytes) {
            logs_.append(stream, partial);
            partial.clear();
          }
          break;
        }
        if (partial.empty()) {
          logs_.append(stream, data.substr(0, nl));
        } else {
          partial.append(data.substr(0, nl));
          logs_.append(stream, partial);
          partial.clear();
        }
        data.remove_prefix(nl + 1);
      }
    }
  }
}

void Instance::clearLogs() {
  drain();
  // Output before /init is the runtime's own: kept only as a start failure.
  if (auto failure = startFailureIn(logs_.take())) startFailure_ = std::move(failure);
  logs_.clear();
}

bool Instance::gone() {
  drain();
  return pipes_[0] < 0 && pipes_[1] < 0;
}

std::optional<std::string> startFailureIn(const std::vector<std::string>& lines) {
  constexpr std::string_view kErr = " stderr: ";
  for (const auto& line : lines) {
    auto at = line.find(kErr);
    if (at == std::string::npos) continue;
    if (auto failure = runtimeStartFailure(std::string_view(line).substr(at + kErr.size()))) return failure;
  }
  return std::nullopt;
}

bool Instance::awaitLogs(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    drain();
    if (logs_.complete()) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p[2] = {{pipes_[0], POLLIN, 0}, {pipes_[1], POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
  }
}

}  // namespace clemmys::invoker
