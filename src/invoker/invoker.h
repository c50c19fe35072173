// The contract between the controller and the invoker (one process today; the
// invoker may move to another host later). The controller resolves actions and
// records activations; the invoker runs one action invocation on a runtime instance.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clemmys::invoker {

struct ActionLimits {
  int timeoutMs = 60000;  // 100..300000
  int memoryMb = 256;     // 128..512
  int logsMb = 10;        // 0..10
  int concurrency = 1;    // 1 (max configurable later)
};

// Everything a runtime needs for /init. `revision` changes on every update of the
// action, so warm instances of an older revision are never reused.
struct ActionCode {
  std::string ns;        // "guest"
  std::string fqn;       // "/guest/pkg/name" or "/guest/name"
  std::string kind;      // "python:3" | "nodejs:20" | "blackbox" | "cpp"
  std::string main;      // entry point; "main" by default
  std::string code;      // as stored: text, or base64 when binary
  bool binary = false;
  std::string version;   // "0.0.1"
  std::string revision;  // opaque, unique per stored version
  ActionLimits limits;
  boost::json::object initEnv;  // parameters marked init:true, values as strings
  boost::json::object heap;     // /init's "heap": validated clemmys-heap-* annotations; empty: none
};

struct RunRequest {
  ActionCode action;
  boost::json::value params;  // object (or array for sequences passing arrays)
  std::string activationId;   // 32 lowercase hex
  std::string transactionId;
  int64_t deadlineMs = 0;     // epoch ms
  std::optional<std::string> apiKey;  // only with a truthy provide-api-key annotation
};

// OpenWhisk's statusCode values 0..3.
enum class RunStatus { success = 0, applicationError = 1, developerError = 2, internalError = 3 };

const char* statusName(RunStatus s);  // "success", "application error", ...

struct RunResult {
  RunStatus status = RunStatus::internalError;
  boost::json::value result;          // always an object or array; {"error": ...} on failure
  std::vector<std::string> logs;      // "<ts padded to 30> stdout: text"
  int64_t startMs = 0, endMs = 0;     // epoch ms of the /run call
  int64_t waitTimeMs = 0;             // time from submit to instance ready
  std::optional<int64_t> initTimeMs;  // set on cold starts
  bool timedOut = false;
};

// Runs invocations on runtime instances. Implementations are thread-safe: the
// controller calls run() concurrently from many threads; each call blocks until the
// activation has finished (or failed), and never throws.
class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual RunResult run(const RunRequest& request) = 0;
};

}  // namespace clemmys::invoker
