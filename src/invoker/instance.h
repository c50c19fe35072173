// One clemmys-runtime process: launched (directly or through the simtee, see
// launch_backend.h) on a socket we bound (so its port is known
// before it starts), its stdout/stderr read by a reader thread into a LogCollector,
// and spoken to over one persistent keep-alive HTTP connection (/init, /run).
//
// Thread safety: init() and run() are called by one thread at a time (the pool gives
// an instance to one activation at a time). prestart(), kill(), markMemoryExceeded(), pid(),
// memoryExceeded() and logs() may be called from any thread. The destructor kills
// the process group, reaps it and joins the reader.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "http/client.h"
#include "invoker/invoker.h"
#include "invoker/launch_backend.h"
#include "invoker/log_collector.h"

namespace clemmys::invoker {

struct LaunchOptions {
  std::string runtimeBinary;
  std::vector<std::string> runtimeArgs;
  std::vector<std::string> env;  // "K=V", the runtime's whole environment
  // Empty: runtimes are our children (plain mode). Otherwise the clemmys-simtee
  // socket: runtimes are launched measured and sandboxed through it (secure mode).
  std::string simteeSocket;
};

// What came back from one HTTP call to the runtime.
struct CallResult {
  enum class Kind { response, timeout, lost };
  Kind kind = Kind::lost;
  int status = 0;
  std::string body;
};

class Instance {
 public:
  // Errors: "invoker.socket_failed", "subprocess.*", "simtee.*".
  static Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options);
  static Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options,
                                                  LaunchBackend& backend);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

  // POST /init with the action's code and the OpenWhisk init environment.
  CallResult init(const RunRequest& request, std::chrono::milliseconds timeout);
  // POST /run with the activation's parameters and context.
  CallResult run(const RunRequest& request, std::chrono::milliseconds timeout);
  // POST /prestart {"kind": kind} (doc/formats/runtime-protocol.md): a hint that the
  // runtime may start the kind's interpreter before /init. On a connection of its
  // own, so it may overlap init()/run() from another thread (the runtime orders them).
  CallResult prestart(const std::string& kind, std::chrono::milliseconds timeout);

  // SIGKILL to the whole process group. Idempotent; any thread.
  void kill();
  bool killed() const { return killed_.load(); }
  // Set by the RSS watchdog just before it kills the instance.
  void markMemoryExceeded() { memoryExceeded_.store(true); }
  bool memoryExceeded() const { return memoryExceeded_.load(); }

  LogCollector& logs() { return logs_; }

 private:
  Instance() = default;
  CallResult post(std::string_view target, const std::string& body,
                  std::chrono::milliseconds timeout);
  void readLoop(int outFd, int errFd);

  std::unique_ptr<RuntimeProcess> process_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::unique_ptr<http::Client> client_;
  LogCollector logs_;
  int wakeFd_ = -1;  // eventfd: tells the reader to stop
  std::thread reader_;
  std::atomic<bool> killed_{false};
  std::atomic<bool> memoryExceeded_{false};
};

// The /init and /run request bodies (exposed for tests).
std::string initBody(const RunRequest& request);
std::string runBody(const RunRequest& request);

}  // namespace clemmys::invoker
