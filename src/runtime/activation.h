// The /run request as the runtime sees it, and how its context reaches the function's
// environment.
//
// Every key of the /run body other than "value" becomes the environment variable
// __OW_<KEY upper-cased> (OpenWhisk's action-proxy rule): strings verbatim, null and
// keys that cannot be variable names skipped, any other JSON value as its JSON text.
// The same rule turns /init `env` entries into variables (without the prefix).
// Thread safety: RunRequest is a value; ProcessEnv mutates the process environment and
// must be used by one thread at a time (the runtime serialises activations).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace clemmys::runtime {

using EnvVars = std::vector<std::pair<std::string, std::string>>;  // name, value

// "activation_id" -> "__OW_ACTIVATION_ID".
std::string owVariableName(std::string_view key);

// The variable text for a JSON value, or nullopt for null.
std::optional<std::string> envValueText(const boost::json::value& v);

// True when `name` can be passed to setenv (non-empty, no '=' and no NUL).
bool isValidEnvName(std::string_view name);

// /init `env` entries as variables (names kept as given).
EnvVars initEnvVars(const boost::json::object& env);

class RunRequest {
 public:
  // Errors: "runtime.bad_request" (not JSON, or not an object).
  static Result<RunRequest> parse(std::string_view body);

  const boost::json::object& body() const { return body_; }
  // The parameters; an empty object when the body has no "value".
  const boost::json::value& value() const;
  const EnvVars& env() const { return env_; }
  // The __OW_ variable's value (e.g. "__OW_ACTIVATION_ID"), or nullptr when absent.
  const std::string* find(std::string_view name) const;
  // __OW_DEADLINE as epoch milliseconds, when present and numeric.
  std::optional<int64_t> deadlineMs() const;

 private:
  boost::json::object body_;
  boost::json::value emptyValue_ = boost::json::object();
  EnvVars env_;
};

// Applies each activation's variables to the process environment (for cpp functions,
// which share the runtime's process). A variable set by an earlier activation and
// absent from the current one gets back the value it had before the first activation
// touched it (or is unset), so an api key never outlives its activation.
// The "NAME=value" strings are owned here and handed to putenv: setenv would keep
// every value ever set (glibc never frees them, and searches them on each call), so a
// fresh activation id per request would grow the process and slow every request.
// The destructor restores the variables it changed.
class ProcessEnv {
 public:
  ProcessEnv() = default;
  ~ProcessEnv();
  ProcessEnv(const ProcessEnv&) = delete;
  ProcessEnv& operator=(const ProcessEnv&) = delete;

  void apply(const EnvVars& vars);

 private:
  void set(const std::string& name, const std::string& value);
  void restore(const std::string& name);

  std::map<std::string, std::optional<std::string>, std::less<>> originals_;
  std::vector<std::string> previous_;
  // name -> the "NAME=value" string the environment points at (heap string objects,
  // so their buffers stay put while the map changes).
  std::map<std::string, std::unique_ptr<std::string>, std::less<>> owned_;
};

}  // namespace clemmys::runtime
