#include "runtime/action_proxy.h"

#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "runtime/cpp_executor.h"
#include "runtime/json_depth.h"
#include "runtime/kind.h"
#include "runtime/loop_action.h"

namespace clemmys::runtime {
namespace {

http::Response jsonError(int status, std::string message) {
  boost::json::object body;
  body["error"] = std::move(message);
  return http::Response::json(status, body);
}

void writeFully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nobody reads our logs any more; nothing better to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// How long /init waits for a pre-started interpreter to finish booting before it
// gives up on it and starts a fresh one (a healthy one is ready in tens of ms).
constexpr std::chrono::milliseconds kPrestartReadyTimeout{10000};

bool isBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

ActionProxy::ActionProxy(ProxyOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

ActionProxy::~ActionProxy() = default;

http::Response ActionProxy::handle(const http::Request& request) {
  bool isInit = request.path == "/init", isRun = request.path == "/run";
  bool isPrestart = request.path == "/prestart";
  if (!isInit && !isRun && !isPrestart) return jsonError(404, "The requested resource does not exist.");
  if (request.method != "POST") return jsonError(405, "Use POST for " + request.path + ".");
  if (isPrestart) return prestart(request.body);
  return isInit ? init(request.body) : run(request.body);
}

http::Response ActionProxy::prestart(std::string_view body) {
  std::lock_guard lock(mu_);
  return prestartLocked(body);  // not an activation: no sentinels
}

http::Response ActionProxy::prestartLocked(std::string_view body) {
  if (executor_) return jsonError(409, "The action is already initialized.");
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  const auto* kindField = !ec && parsed.is_object() ? parsed.get_object().if_contains("kind") : nullptr;
  if (kindField == nullptr || !kindField->is_string()) {
    return jsonError(400, "The /prestart body must be {\"kind\": \"python:3\" or \"nodejs:20\"}.");
  }
  auto kind = parseKind(kindField->get_string());
  if (!kind || !canPrestart(*kind)) {
    return jsonError(400, "Kind " + std::string(kindField->get_string()) + " cannot be pre-started.");
  }
  if (prestarted_ && prestarted_->kind == *kind && prestarted_->loop->alive()) {
    return http::Response::json(200, boost::json::object{{"ok", true}});
  }
  prestarted_.reset();  // another kind, or it died: kill it, remove its directory
  auto dir = TempDir::create(options_.tempRoot);
  if (!dir) return jsonError(502, dir.error().message);
  auto spec = prestartLoopSpec(*kind, dir->path(), options_.tools);
  if (!spec) return jsonError(502, spec.error().message);
  auto loop = spawnWaitingLoop(*spec, clock_, spawner_);
  if (!loop) return jsonError(502, loop.error().message);
  prestarted_ = std::make_unique<Prestarted>(Prestarted{*kind, std::move(*dir), std::move(*loop)});
  return http::Response::json(200, boost::json::object{{"ok", true}});
}

http::Response ActionProxy::init(std::string_view body) {
  std::lock_guard lock(mu_);
  http::Response response = initLocked(body);
  if (response.status != 200) writeSentinels();
  return response;
}

http::Response ActionProxy::init(const InitSpec& spec) {
  std::lock_guard lock(mu_);
  http::Response response = initSpecLocked(spec);
  if (response.status != 200) writeSentinels();
  return response;
}

http::Response ActionProxy::run(std::string_view body) {
  std::lock_guard lock(mu_);
  http::Response response = runLocked(body);
  writeSentinels();
  return response;
}

http::Response ActionProxy::initLocked(std::string_view body) {
  if (executor_) return jsonError(403, "Cannot initialize the action more than once.");
  boost::json::object message;
  if (!isBlank(body)) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) return jsonError(400, "The /init body is not a JSON object.");
    message = std::move(parsed.get_object());
  }
  static const boost::json::object kEmpty;
  const auto* valueField = message.if_contains("value");
  const auto& value = valueField && valueField->is_object() ? valueField->get_object() : kEmpty;
  auto str = [&](std::string_view key) -> std::string_view {
    const auto* v = value.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
  };
  InitSpec spec;
  spec.code = std::string(str("code"));
  if (spec.code.empty()) return jsonError(403, "Missing main/no code to execute.");
  spec.main = std::string(str("main"));
  if (const auto* b = value.if_contains("binary"); b && b->is_bool()) spec.binary = b->get_bool();
  spec.kind = std::string(str("kind"));
  if (const auto* env = value.if_contains("env"); env && env->is_object()) {
    spec.env = initEnvVars(env->get_object());
  }
  if (const auto* heap = value.if_contains("heap"); heap && !heap->is_null()) {
    auto settings = heap::heapSettingsFromJson(*heap);
    if (!settings) return jsonError(400, "The /init heap object is invalid: " + settings.error().message + ".");
    spec.heap = std::move(*settings);
  }
  return initSpecLocked(spec);
}

http::Response ActionProxy::initSpecLocked(const InitSpec& spec) {
  if (executor_) return jsonError(403, "Cannot initialize the action more than once.");
  if (spec.code.empty()) return jsonError(403, "Missing main/no code to execute.");
  std::string_view mainName = spec.main;
  const EnvVars& initEnv = spec.env;
  auto source = decodeSource(spec.code, spec.binary);
  if (!source) return jsonError(502, source.error().message);
  auto kind = resolveKind(spec.kind, options_.defaultKind, *source);
  if (!kind) return jsonError(502, kind.error().message);
  // A pre-started child is used now or never: one of another kind, or one whose
  // interpreter would have started differently with this environment, is killed.
  std::unique_ptr<Prestarted> pre = std::move(prestarted_);
  if (pre && (pre->kind != *kind || needsFreshInterpreter(initEnv))) pre.reset();

  if (*kind == Kind::cpp) {
    // The function shares our process: its init env is our environment.
    for (const auto& [name, v] : initEnv) ::setenv(name.c_str(), v.c_str(), 1);
    auto executor = loadCppExecutor(source->bytes, mainName, options_.tempRoot, spec.heap);
    if (!executor) return jsonError(502, executor.error().message);
    executor_ = std::move(*executor);
    return http::Response::json(200, boost::json::object{{"ok", true}});
  }

  // The pre-started child already runs in its (still empty) private directory.
  auto dir = pre ? Result<TempDir>(std::move(pre->dir)) : TempDir::create(options_.tempRoot);
  if (!dir) return jsonError(502, dir.error().message);
  auto loop = prepareLoopAction(*kind, *source, mainName, dir->path(), options_.tools);
  if (!loop) return jsonError(502, loop.error().message);
  // ActionLoop's convention: with OW_WAIT_FOR_ACK set, an executable announces itself
  // with {"ok":true} on fd 3 before its first activation.
  if (*kind == Kind::blackbox) {
    const char* wait = std::getenv("OW_WAIT_FOR_ACK");
    bool ack = wait && *wait;
    for (const auto& [name, v] : initEnv) ack = ack || (name == "OW_WAIT_FOR_ACK" && !v.empty());
    loop->expectAck = ack;
  }
  loop->extraEnv = initEnv;
  loop->argv.insert(loop->argv.end(), spec.extraArgv.begin(), spec.extraArgv.end());
  Result<std::unique_ptr<Executor>> executor = fail("runtime.prestart_lost", "no pre-started process");
  if (pre) {
    // Its interpreter may still be booting: wait for it rather than boot another.
    executor = pre->loop->start(startLine(*kind, *loop), kPrestartReadyTimeout, loop->startTimeout);
  }
  if (!executor && executor.error().name == "runtime.prestart_lost") {
    executor = startLoopExecutor(*loop, clock_, spawner_);
  }
  if (!executor) return jsonError(502, executor.error().message);
  codeDir_ = std::move(*dir);
  executor_ = std::move(*executor);
  return http::Response::json(200, boost::json::object{{"ok", true}});
}

http::Response ActionProxy::runLocked(std::string_view body) {
  if (!executor_) return jsonError(403, "The action has not been initialized.");
  auto request = RunRequest::parse(body);
  if (!request) return jsonError(400, request.error().message);
  auto result = executor_->run(*request);
  if (!result) return jsonError(502, result.error().message);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(*result, ec, {}, argumentJsonOptions());
  if (ec || !(parsed.is_object() || parsed.is_array())) {
    return jsonError(502, "The action did not return a dictionary or array.");
  }
  http::Response response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(*result);
  return response;
}

void ActionProxy::endActivation() {
  std::lock_guard lock(mu_);
  writeSentinels();
}

void ActionProxy::writeSentinels() {
  std::fflush(nullptr);  // in-process (cpp) function output first
  if (options_.sentinel.empty()) return;
  std::string line = options_.sentinel + "\n";
  writeFully(options_.stdoutFd, line);
  writeFully(options_.stderrFd, line);
}

}  // namespace clemmys::runtime
