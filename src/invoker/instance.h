// One clemmys-runtime process: launched (directly or through the simtee, see
// launch_backend.h) on a socket we bound (so its port is known before it starts),
// spoken to over one persistent keep-alive HTTP connection (/init, /run). Its
// stdout/stderr are read into a LogCollector by the thread that calls init()/run()
// (while it waits for the answer) and awaitLogs(): no reader thread (doc/invoker.md#logs).
//
// Thread safety: init(), run(), clearLogs() and awaitLogs() are called by one thread
// at a time (the pool gives an instance to one activation at a time). prestart(),
// kill(), markMemoryExceeded(), pid(), memoryExceeded() and logs() may be called from
// any thread. The destructor kills the process group and reaps it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
  // Secure mode: the root file-system manifest the runtime is launched in (measured).
  std::string rootfs;
};

// What came back from one HTTP call to the runtime.
struct CallResult {
  enum class Kind { response, timeout, lost };
  Kind kind = Kind::lost;
  int status = 0;
  std::string body;
};

class Instance : private http::WaitHook {
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
  // Reads what the pipes hold, then drops everything buffered (output before /init),
  // remembering a start failure the runtime printed there (startFailure()).
  void clearLogs();
  // True once both output pipes reached EOF: the process is gone (a prewarmed
  // runtime that could not attest, say). Reads what the pipes hold first; call only
  // while no other thread uses the instance (REQUIRES: not during init()/run()).
  bool gone();
  // "<name>: …" from the runtime's `clemmys-runtime: <platform error>: …` line
  // before /init, if it printed one (it could not attest, say).
  const std::optional<std::string>& startFailure() const { return startFailure_; }
  // Reads the pipes until the current activation's logs are complete (both
  // sentinels, or EOF) or `timeout` passed; true if complete.
  bool awaitLogs(std::chrono::milliseconds timeout);

 private:
  Instance() = default;
  CallResult post(std::string_view target, const std::string& body,
                  std::chrono::milliseconds timeout);
  // WaitHook: the open pipes, served while a request waits for its answer.
  size_t fds(int (&out)[http::WaitHook::kMaxFds]) override;
  void readable() override { drain(); }
  // Reads every open pipe until it is empty; splits lines into logs_; EOF closes it.
  void drain();

  std::unique_ptr<RuntimeProcess> process_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::unique_ptr<http::Client> client_;
  LogCollector logs_;
  int pipes_[2] = {-1, -1};  // stdout, stderr read ends (non-blocking); -1 once at EOF
  std::string partial_[2];   // a line not yet ended by '\n'
  std::atomic<bool> killed_{false};
  std::atomic<bool> memoryExceeded_{false};
  std::optional<std::string> startFailure_;
};

// The first runtime start failure among formatted log lines ("<ts> stderr: text").
std::optional<std::string> startFailureIn(const std::vector<std::string>& lines);

// The /init and /run request bodies (exposed for tests).
std::string initBody(const RunRequest& request);
std::string runBody(const RunRequest& request);

}  // namespace clemmys::invoker
